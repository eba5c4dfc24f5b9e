// The writer thread: many batches per commit, every completion run, a byte budget that refuses rather than
// grows, and a shutdown that drains.
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "store/writer.hpp"
#include "store_test_support.hpp"

namespace culex::store::testing {
namespace {

using namespace std::chrono_literals;
constexpr auto kTimeout = 10s;

// A MemoryStore whose commits wait at a gate until the test opens it, so that batches pile up behind a
// commit in progress, as they do behind an fsync.
class GatedStore : public Store {
  public:
    std::expected<void, StoreError> commit(std::span<const Batch* const> batches) override {
        std::unique_lock lock(mutex_);
        ++commits_started_;
        changed_.notify_all();
        // Bounded: a test that forgets to open the gate fails on its counts instead of hanging.
        changed_.wait_for(lock, kTimeout, [&] { return open_; });
        return inner_.commit(batches);
    }
    std::expected<LoadedState, StoreError> load() override { return inner_.load(); }
    std::expected<QueuePage, StoreError> read_queue(const QueueRequest& r) override {
        return inner_.read_queue(r);
    }
    std::string describe() const override { return "gated memory"; }

    int commits_started() {
        std::lock_guard lock(mutex_);
        return commits_started_;
    }
    bool wait_for_commits(int count, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return commits_started_ >= count; });
    }
    bool wait_for_commit_started() {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, kTimeout, [&] { return commits_started_ > 0; });
    }
    void open_gate() {
        std::lock_guard lock(mutex_);
        open_ = true;
        changed_.notify_all();
    }

  private:
    MemoryStore inner_;
    std::mutex mutex_;
    std::condition_variable changed_;
    int commits_started_ = 0;
    bool open_ = false;
};

// Counts completions and lets the test wait for a number of them.
class Completions {
  public:
    Writer::Completion make() {
        return [this](const std::expected<void, StoreError>& result) {
            std::lock_guard lock(mutex_);
            ++(result ? ok_ : failed_);
            changed_.notify_all();
        };
    }
    bool wait_for(int total) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, kTimeout, [&] { return ok_ + failed_ >= total; });
    }
    int ok() const {
        std::lock_guard lock(mutex_);
        return ok_;
    }
    int failed() const {
        std::lock_guard lock(mutex_);
        return failed_;
    }

  private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    int ok_ = 0, failed_ = 0;
};

Batch one_message(std::uint64_t sequence) {
    Batch b;
    b.enqueue(queued("c", sequence, std::string(64, 'm')));
    return b;
}

TEST(Writer, BatchesWaitingBehindACommitGoIntoTheNextOne) {
    GatedStore store;
    Completions done;
    Writer writer(store, {});
    ASSERT_TRUE(writer.submit(one_message(1), done.make()));
    ASSERT_TRUE(store.wait_for_commit_started());
    // Four loops submit while the first commit is held.
    std::vector<std::thread> loops;
    for (int loop = 0; loop < 4; ++loop)
        loops.emplace_back([&, loop] {
            for (int i = 0; i < 250; ++i)
                ASSERT_TRUE(writer.submit(one_message(2 + loop * 250 + i), done.make()));
        });
    for (auto& t : loops)
        t.join();
    store.open_gate();
    ASSERT_TRUE(done.wait_for(1001));

    EXPECT_EQ(done.ok(), 1001);
    auto counters = writer.counters();
    EXPECT_EQ(counters.batches, 1001u);
    EXPECT_EQ(counters.operations, 1001u);
    EXPECT_EQ(counters.commits, 2u);  // the held one, then everything that waited behind it
    EXPECT_EQ(counters.largest_commit, 1000u);
    writer.stop();
    auto state = store.load();
    ASSERT_TRUE(state);
    ASSERT_EQ(state->queues.size(), 1u);
    EXPECT_EQ(state->queues[0].count, 1001u);
}

// The broker hands a step's deliveries to other loops in `before_commit`: it must run once, before any
// commit can hold the batch, and not at all when the batch is refused.
TEST(Writer, SubmitBeforeRunsItsHandOverOnceBeforeTheBatchCanBeCommitted) {
    GatedStore store;
    Completions done;
    Writer writer(store, {});
    ASSERT_TRUE(writer.submit(one_message(1), done.make()));
    ASSERT_TRUE(store.wait_for_commit_started());  // the writer is busy: batch 2 will wait for the next round
    int handed_over = 0;
    bool round_one_done = false;
    bool batch_two_taken_meanwhile = true;
    std::function<void()> hand_over = [&] {
        ++handed_over;
        store.open_gate();  // round one ends and its completion runs: the writer then looks for round two
        round_one_done = done.wait_for(1);
        // Batch 2 is waiting; were the hand-over not holding the writer back, it would be committed now.
        // (A bounded wait for what must not happen: it cannot fail a correct writer, only miss a broken one.)
        batch_two_taken_meanwhile = store.wait_for_commits(2, 300ms);
    };
    ASSERT_TRUE(
        writer.submit_before(one_message(2), done.make(), CommitQueue::Admission::within_budget, hand_over));
    ASSERT_TRUE(done.wait_for(2));
    EXPECT_EQ(handed_over, 1);
    EXPECT_TRUE(round_one_done);
    EXPECT_FALSE(batch_two_taken_meanwhile);
    EXPECT_EQ(store.commits_started(), 2);

    writer.stop();
    EXPECT_FALSE(
        writer.submit_before(one_message(3), done.make(), CommitQueue::Admission::always, hand_over));
    EXPECT_EQ(handed_over, 1);  // refused: the caller hands over itself
}

TEST(Writer, StopDrainsEverythingSubmittedAndRunsItsCompletions) {
    MemoryStore store;
    Completions done;
    {
        Writer writer(store, {});
        for (std::uint64_t s = 1; s <= 500; ++s)
            ASSERT_TRUE(writer.submit(one_message(s), done.make()));
        writer.stop();
        EXPECT_EQ(done.ok(), 500);  // all ran before stop() returned
        Batch late = one_message(501);
        EXPECT_FALSE(writer.submit(std::move(late), done.make()));
        EXPECT_EQ(late.size(), 1u);  // refused: still the caller's
    }
    auto state = store.load();
    ASSERT_TRUE(state);
    ASSERT_EQ(state->queues.size(), 1u);
    EXPECT_EQ(state->queues[0].count, 500u);
}

TEST(Writer, AFullBudgetRefusesUntilTheQueueDrainsThenSaysSo) {
    GatedStore store;
    Completions done;
    std::promise<void> relieved;
    Writer::Options options;
    options.byte_budget = 10 * one_message(0).bytes();
    options.on_relief = [&] { relieved.set_value(); };
    Writer writer(store, options);

    ASSERT_TRUE(writer.submit(one_message(1), done.make()));
    ASSERT_TRUE(store.wait_for_commit_started());
    int accepted = 0;
    for (std::uint64_t s = 2; s < 100; ++s) {
        Batch b = one_message(s);
        if (!writer.submit(std::move(b), done.make())) {
            EXPECT_EQ(b.size(), 1u);
            break;
        }
        ++accepted;
    }
    EXPECT_GT(accepted, 0);
    EXPECT_LE(accepted, 10);
    EXPECT_TRUE(writer.backpressure());
    EXPECT_LE(writer.waiting_bytes(), options.byte_budget);
    // What must not be lost gets in anyway.
    Batch ending;
    ending.delete_session("other");
    EXPECT_TRUE(writer.submit(std::move(ending), done.make(), Writer::Admission::always));

    store.open_gate();
    ASSERT_EQ(relieved.get_future().wait_for(kTimeout), std::future_status::ready);
    EXPECT_FALSE(writer.backpressure());
    ASSERT_TRUE(done.wait_for(accepted + 2));
    EXPECT_EQ(writer.counters().refused, 1u);
    EXPECT_TRUE(writer.submit(one_message(100), done.make()));
}

TEST(Writer, AFailedCommitFailsEveryBatchInIt) {
    MemoryStore store(100);
    Completions done;
    Writer writer(store, {});
    Batch big;
    big.put_retained(retained("big", std::string(1000, 'x')));
    ASSERT_TRUE(writer.submit(std::move(big), done.make()));
    ASSERT_TRUE(done.wait_for(1));
    EXPECT_EQ(done.failed(), 1);
    EXPECT_EQ(writer.counters().failed_commits, 1u);
    // The writer goes on.
    ASSERT_TRUE(writer.submit(one_message(1), done.make()));
    ASSERT_TRUE(done.wait_for(2));
    EXPECT_EQ(done.ok(), 1);
}

TEST(Writer, AQueuePageReadSeesWhatWasSubmittedBeforeIt) {
    TempDir dir;
    auto opened = SqliteStore::open({dir / "culex.db"});
    ASSERT_TRUE(opened);
    Completions done;
    Writer writer(**opened, {});
    for (std::uint64_t s = 1; s <= 10; ++s)
        ASSERT_TRUE(writer.submit(one_message(s), done.make()));
    std::promise<std::expected<QueuePage, StoreError>> result;
    ASSERT_TRUE(
        writer.read_queue({"c", 4, 3, 1 << 20}, [&](auto page) { result.set_value(std::move(page)); }));
    auto future = result.get_future();
    ASSERT_EQ(future.wait_for(kTimeout), std::future_status::ready);
    auto page = future.get();
    ASSERT_TRUE(page) << page.error().message;
    ASSERT_EQ(page->messages.size(), 3u);
    EXPECT_EQ(page->messages[0].sequence, 5u);
    EXPECT_EQ(page->messages[2].sequence, 7u);
    EXPECT_TRUE(page->more);
    EXPECT_EQ(writer.counters().pages_read, 1u);
}

}  // namespace
}  // namespace culex::store::testing
