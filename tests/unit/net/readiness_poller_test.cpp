// ReadinessPoller over socket pairs: readiness reaches the watcher, a watcher forgotten in the middle of a
// batch hears nothing more, and a poller with nothing to watch lets its loop run out of work.
#include "net/readiness_poller.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>

namespace culex::net {
namespace {

struct SocketPair {
    SocketPair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, ends), 0); }
    ~SocketPair() {
        for (int end : ends)
            if (end >= 0) ::close(end);
    }
    void write_to_watched() const { ASSERT_EQ(::write(ends[1], "x", 1), 1); }
    int watched() const { return ends[0]; }
    int ends[2] = {-1, -1};
};

struct RecordingWatcher final : ReadinessPoller::Watcher {
    void on_ready(std::uint32_t events) override {
        if (events & EPOLLIN) ++readable;
        if (action) action();
    }
    int readable = 0;
    std::function<void()> action;
};

TEST(ReadinessPollerTest, ReportsInputAndStopsWhenNothingIsWatched) {
    boost::asio::io_context context;
    ReadinessPoller poller(context);
    SocketPair pair;
    RecordingWatcher watcher;
    ASSERT_FALSE(poller.watch(pair.watched(), watcher));
    pair.write_to_watched();
    watcher.action = [&] { poller.forget(pair.watched(), watcher); };
    // run() returns only once nothing is pending: forget() must have withdrawn the poller's own wait.
    context.run_for(std::chrono::seconds(5));
    EXPECT_TRUE(context.stopped());
    EXPECT_EQ(watcher.readable, 1);
}

TEST(ReadinessPollerTest, AWatcherForgottenDuringABatchHearsNothingMore) {
    boost::asio::io_context context;
    ReadinessPoller poller(context);
    SocketPair first, second;
    RecordingWatcher a, b;
    ASSERT_FALSE(poller.watch(first.watched(), a));
    ASSERT_FALSE(poller.watch(second.watched(), b));
    first.write_to_watched();
    second.write_to_watched();
    // Whichever is reported first forgets both: the other's event, already in the batch, must not arrive
    // (its connection may be gone).
    auto forget_both = [&] {
        poller.forget(first.watched(), a);
        poller.forget(second.watched(), b);
    };
    a.action = forget_both;
    b.action = forget_both;
    context.run_for(std::chrono::seconds(5));
    EXPECT_TRUE(context.stopped());
    EXPECT_EQ(a.readable + b.readable, 1);
}

TEST(ReadinessPollerTest, WatchingAgainAfterTheLastWasForgottenStillReports) {
    boost::asio::io_context context;
    ReadinessPoller poller(context);
    SocketPair first, second;
    RecordingWatcher a, b;
    ASSERT_FALSE(poller.watch(first.watched(), a));
    // In one turn: the last socket goes (the wait is cancelled) and a new one comes.
    poller.forget(first.watched(), a);
    ASSERT_FALSE(poller.watch(second.watched(), b));
    second.write_to_watched();
    b.action = [&] { poller.forget(second.watched(), b); };
    context.run_for(std::chrono::seconds(5));
    EXPECT_TRUE(context.stopped());
    EXPECT_EQ(b.readable, 1);
}

}  // namespace
}  // namespace culex::net
