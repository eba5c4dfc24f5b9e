// A session's queue is paged back in sequence order, within the page's count and byte limits.
#include "store_test_support.hpp"

namespace culex::store::testing {
namespace {

class ReadQueue : public StoreTest {
  protected:
    void fill(const std::string& id, std::uint64_t first, std::uint64_t last) {
        Batch b;
        for (auto s = first; s <= last; ++s)
            b.enqueue(queued(id, s));
        commit(b);
    }
    QueuePage read(QueueRequest request) {
        auto page = store_->read_queue(request);
        EXPECT_TRUE(page) << page.error().message;
        return page ? std::move(*page) : QueuePage{};
    }
};

TEST_P(ReadQueue, PagesComeInSequenceOrderUntilTheEnd) {
    // Enqueued out of order, and interleaved with another session's.
    fill("c", 51, 100);
    fill("other", 1, 30);
    fill("c", 1, 50);

    std::vector<std::uint64_t> seen;
    QueueRequest request{"c", 0, 16, 1 << 20};
    for (int pages = 0; pages < 20; ++pages) {
        auto page = read(request);
        for (const auto& m : page.messages) {
            EXPECT_EQ(m.client_id, "c");
            EXPECT_EQ(m, queued("c", m.sequence));
            seen.push_back(m.sequence);
        }
        request.after_sequence = page.last_sequence;
        if (!page.more) break;
        EXPECT_EQ(page.messages.size(), 16u);
    }
    ASSERT_EQ(seen.size(), 100u);
    for (std::size_t i = 0; i < seen.size(); ++i)
        EXPECT_EQ(seen[i], i + 1);
}

TEST_P(ReadQueue, MaxBytesEndsAPageButAtLeastOneMessageComes) {
    Batch b;
    for (std::uint64_t s = 1; s <= 4; ++s)
        b.enqueue(queued("c", s, std::string(1000, 'a')));
    commit(b);
    const std::size_t one =
        queued("c", 1, std::string(1000, 'a')).topic.size() + 1000 + properties_bytes().size();

    auto page = read({"c", 0, 100, 2 * one});
    ASSERT_EQ(page.messages.size(), 2u);
    EXPECT_TRUE(page.more);
    EXPECT_EQ(page.last_sequence, 2u);

    page = read({"c", 2, 100, 10});  // smaller than any message
    ASSERT_EQ(page.messages.size(), 1u);
    EXPECT_EQ(page.messages[0].sequence, 3u);
    EXPECT_TRUE(page.more);

    page = read({"c", 3, 100, 1 << 20});
    ASSERT_EQ(page.messages.size(), 1u);
    EXPECT_FALSE(page.more);
}

TEST_P(ReadQueue, DequeueRemovesARangeAndTheSummaryFollows) {
    fill("c", 1, 10);
    commit(Batch().dequeue("c", 1, 4).dequeue("c", 7, 7));
    auto page = read({"c", 0, 100, 1 << 20});
    std::vector<std::uint64_t> left;
    for (const auto& m : page.messages)
        left.push_back(m.sequence);
    EXPECT_EQ(left, (std::vector<std::uint64_t>{5, 6, 8, 9, 10}));

    auto state = load();
    ASSERT_EQ(state.queues.size(), 1u);
    EXPECT_EQ(state.queues[0].count, 5u);
    EXPECT_EQ(state.queues[0].first_sequence, 5u);
    EXPECT_EQ(state.queues[0].last_sequence, 10u);

    commit(Batch().dequeue("c", 1, 100));
    EXPECT_TRUE(load().queues.empty());
}

TEST_P(ReadQueue, AnUnknownSessionOrAnEmptyRestGivesAnEmptyPage) {
    fill("c", 1, 3);
    auto page = read({"nobody", 0, 10, 1 << 20});
    EXPECT_TRUE(page.messages.empty());
    EXPECT_FALSE(page.more);
    page = read({"c", 3, 10, 1 << 20});
    EXPECT_TRUE(page.messages.empty());
    EXPECT_FALSE(page.more);
    EXPECT_EQ(page.last_sequence, 3u);
}

INSTANTIATE_TEST_SUITE_P(Stores, ReadQueue, ::testing::Values(StoreKind::memory, StoreKind::sqlite),
                         store_name);

}  // namespace
}  // namespace culex::store::testing
