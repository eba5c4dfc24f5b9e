// The one writer thread, with group commit. Event loops submit batches and never wait on the disk: the writer
// takes everything waiting, applies it in one transaction, commits once, then runs every completion of that
// commit (on the writer thread: the caller posts it back to its own loop). Queue pages are read here too, so
// that a loop never calls the store itself.
//
// Memory is bounded: batches waiting count against a byte budget, and a submit that would pass it is refused.
// The broker then stops acknowledging (no PUBACK for a message it could not store) and stops reading from the
// publishers' sockets until on_relief says the queue has drained to half the budget.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <expected>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/commit_queue.hpp"
#include "store/store.hpp"

namespace culex::store {

class Writer final : public CommitQueue {
  public:
    // Completions run on the writer thread. One may submit again; it must not call stop() (the thread would
    // wait for itself).

    struct Options {
        // What waiting batches may hold (Batch::bytes()): about 50,000 messages of 64 bytes, plenty to group,
        // and small beside the broker's goal of 64 MB RSS with a million messages queued on disk.
        std::size_t byte_budget = 16u << 20;
        // Called on the writer thread when, after a refusal, the waiting bytes fell to half the budget.
        std::function<void()> on_relief;
        // Under steady load (the previous commit ended less than `busy` ago), a round waits up to `gather`
        // for more before it is committed: fewer, larger commits, and above all more operations that cancel
        // out (cancel_out.hpp): a QoS 1 message to an online persistent session is queued, moved to in flight
        // and acknowledged within a few milliseconds, and a round that spans that stores none of it. Measured
        // (docs/persistence.md): 0.5 ms rounds capped at 512 operations cancelled about half of the
        // operations, 2 ms rounds about 90%, and the broker's CPU per message fell by about 40%; longer
        // rounds cancel little more and hold PUBACKs longer. An isolated change is committed at once. Zero:
        // never wait.
        std::chrono::microseconds gather{2000};
        std::chrono::microseconds busy{20000};
        std::size_t gather_operations = 16384;  // a round this large goes at once
    };

    struct Counters {
        std::uint64_t batches = 0;
        std::uint64_t operations = 0;
        std::uint64_t commits = 0;
        std::uint64_t failed_commits = 0;
        std::uint64_t pages_read = 0;
        std::uint64_t refused = 0;         // submits refused by the byte budget
        std::uint64_t largest_commit = 0;  // batches in the largest commit
        std::uint64_t cancelled = 0;       // operations that cancelled out within a round (cancel_out.hpp)
    };

    // Starts the thread. The store is used only by it from now on, until stop().
    Writer(Store& store, Options options);
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;
    ~Writer();

    // Never blocks on the disk (only on a short mutex). False: refused, by the budget or because the writer
    // stopped; the batch and completion are left to the caller, and the completion will not be called.
    [[nodiscard]] bool submit(Batch&& batch, Completion&& done,
                              Admission admission = Admission::within_budget) override;
    // `before_commit` runs under the writer's lock, so the thread cannot take the batch before it returned.
    [[nodiscard]] bool submit_before(Batch&& batch, Completion&& done, Admission admission,
                                     const std::function<void()>& before_commit) override;
    // A page of a session's queue, read after the commit of what was submitted before it (it may also see
    // batches submitted after it). False when the writer stopped.
    [[nodiscard]] bool read_queue(QueueRequest request, PageCompletion&& done) override;

    // Commits everything submitted so far, runs its completions, then ends the thread. Idempotent.
    void stop();

    Counters counters() const;
    std::size_t waiting_bytes() const override { return waiting_bytes_.load(std::memory_order_relaxed); }
    Batch empty_batch() override;
    // True from a refusal until the relief: the broker's loops can check it before taking new messages.
    bool backpressure() const { return backpressure_.load(std::memory_order_relaxed); }

  private:
    struct Pending {
        Batch batch;
        Completion done;
    };
    struct PageRead {
        QueueRequest request;
        PageCompletion done;
    };

    void run();
    bool take(Batch&& batch, Completion&& done, Admission admission,
              const std::function<void()>* before_commit);
    void commit_round(std::vector<Pending>& round);

    Store& store_;
    Options options_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<Pending> pending_;
    std::vector<PageRead> reads_;
    bool stopping_ = false;
    std::size_t waiting_operations_ = 0;  // in pending_ (under mutex_): what a gathering round waits for
    std::vector<Batch> spare_;            // committed batches, emptied, their room kept (under mutex_)

    std::atomic<std::size_t> waiting_bytes_{0};
    std::atomic<bool> backpressure_{false};
    std::atomic<std::uint64_t> batches_{0}, operations_{0}, commits_{0}, failed_commits_{0}, pages_read_{0},
        refused_{0}, largest_commit_{0}, cancelled_{0};

    std::thread thread_;  // last: started when everything above exists
};

}  // namespace culex::store
