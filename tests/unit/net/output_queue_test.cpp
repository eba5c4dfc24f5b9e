// OutputQueue: a connection's own bytes and the payloads it shares, gathered in order into iovecs no more
// than the caller has room for; partial writes resume where they stopped, in the middle of a piece too; a
// shared payload is held until it is sent, and let go then; TLS's one buffer per batch holds the same bytes.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "net/output_queue.hpp"

namespace culex::net {
namespace {

using protocol::Payload;

std::string bytes_of(std::span<const iovec> iov) {
    std::string out;
    for (const iovec& piece : iov)
        out.append(static_cast<const char*>(piece.iov_base), piece.iov_len);
    return out;
}

// Everything the queue still holds, as a gathered write with ample room would send it.
std::string unsent_of(const OutputQueue& queue) {
    std::vector<iovec> iov(1024);
    iov.resize(queue.gather(iov));
    return bytes_of(iov);
}

struct Filled {
    OutputQueue queue;
    std::string expected;
    LoopShared big{Payload(std::string(3000, 'B'))};
    LoopShared other{Payload(std::string(700, 'O'))};

    Filled() {
        add_own("head-1|");
        add_shared(big);
        add_own("head-2|");
        add_shared(other);
        add_shared(big);  // two shared payloads in a row, nothing of its own between them
        add_own("tail");
    }
    void add_own(std::string_view bytes) {
        queue.own().append(bytes);
        expected.append(bytes);
    }
    void add_shared(const LoopShared& payload) {
        queue.share(payload);
        expected.append(payload.view());
    }
};

TEST(OutputQueue, GathersOwnBytesAndSharedPayloadsInOrder) {
    Filled f;
    EXPECT_EQ(f.queue.unsent(), f.expected.size());
    std::vector<iovec> iov(16);
    std::size_t n = f.queue.gather(iov);
    EXPECT_EQ(n, 6u);  // head-1, big, head-2, other, big, tail
    EXPECT_EQ(bytes_of(std::span(iov).first(n)), f.expected);
}

TEST(OutputQueue, NeverFillsMoreIovecsThanItIsGiven) {
    Filled f;
    std::string sent;
    // Three at a time, as if IOV_MAX were 3: each write takes what it was given, the next goes on from there.
    while (!f.queue.empty()) {
        std::vector<iovec> iov(3);
        std::size_t n = f.queue.gather(iov);
        ASSERT_LE(n, 3u);
        ASSERT_GT(n, 0u);
        std::string part = bytes_of(std::span(iov).first(n));
        sent += part;
        f.queue.consume(part.size());
    }
    EXPECT_EQ(sent, f.expected);
}

TEST(OutputQueue, PartialWritesResumeWhereTheyStoppedEvenInsideAPiece) {
    std::mt19937 random(18);
    for (int round = 0; round < 50; ++round) {
        Filled f;
        std::string sent;
        while (!f.queue.empty()) {
            std::string rest = unsent_of(f.queue);
            ASSERT_EQ(rest, f.expected.substr(sent.size()));
            ASSERT_EQ(f.queue.unsent(), rest.size());
            // The socket takes any number of bytes, often fewer than a piece.
            std::size_t take = std::uniform_int_distribution<std::size_t>(1, 900)(random) % rest.size() + 1;
            sent += rest.substr(0, take);
            f.queue.consume(take);
        }
        EXPECT_EQ(sent, f.expected);
        EXPECT_EQ(f.queue.unsent(), 0u);
    }
}

TEST(OutputQueue, ASharedPayloadIsHeldUntilSentAndLetGoThen) {
    LoopShared big(Payload(std::string(5000, 'x')));
    OutputQueue queue;
    queue.own().append("h");
    queue.share(big);
    queue.own().append("after");
    EXPECT_EQ(big.holders(), 2u);
    queue.consume(1 + 4999);  // all but its last byte
    EXPECT_EQ(big.holders(), 2u);
    queue.consume(1);
    EXPECT_EQ(big.holders(), 1u) << "sent: the queue no longer holds it";
    EXPECT_EQ(unsent_of(queue), "after");
}

TEST(OutputQueue, ASharedPayloadOutlivesEveryoneElsesHold) {
    OutputQueue queue;
    {
        LoopShared payload(Payload(std::string(4096, 'p')));
        queue.share(payload);
    }  // the message and the loop's hold are gone; the queue's is not
    EXPECT_EQ(unsent_of(queue), std::string(4096, 'p'));
}

TEST(OutputQueue, CompactingWhileTheSocketIsFullKeepsWhatIsUnsent) {
    OutputQueue queue;
    std::string expected;
    LoopShared payload(Payload(std::string(1000, 'z')));
    for (int i = 0; i < 200; ++i) {
        std::string header = "header " + std::to_string(i) + "|";
        queue.own().append(header);
        queue.share(payload);
        expected += header + std::string(payload.view());
    }
    std::size_t sent = expected.size() * 3 / 4 + 7;
    queue.consume(sent);
    queue.compact(64);
    EXPECT_EQ(unsent_of(queue), expected.substr(sent));
    EXPECT_EQ(queue.unsent(), expected.size() - sent);
    queue.own().append("more");
    EXPECT_EQ(unsent_of(queue), expected.substr(sent) + "more");
}

TEST(OutputQueue, MovedToOneBufferItIsTheSameBytes) {
    Filled f;
    f.queue.consume(10);
    std::string one;
    f.queue.move_to(one);
    EXPECT_EQ(one, f.expected.substr(10));
    EXPECT_TRUE(f.queue.empty());
    EXPECT_EQ(f.big.holders(), 1u);

    OutputQueue own_only;  // nothing shared: the buffer is handed over whole
    own_only.own().append("just ours");
    std::string out;
    own_only.move_to(out);
    EXPECT_EQ(out, "just ours");
    EXPECT_TRUE(own_only.empty());
}

}  // namespace
}  // namespace culex::net
