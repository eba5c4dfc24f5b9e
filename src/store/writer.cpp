#include "store/writer.hpp"

#include "store/cancel_out.hpp"

#include <utility>

namespace culex::store {

Writer::Writer(Store& store, Options options)
    : store_(store), options_(std::move(options)), thread_([this] { run(); }) {}

Writer::~Writer() {
    stop();
}

bool Writer::submit(Batch&& batch, Completion&& done, Admission admission) {
    return take(std::move(batch), std::move(done), admission, nullptr);
}

bool Writer::submit_before(Batch&& batch, Completion&& done, Admission admission,
                           const std::function<void()>& before_commit) {
    return take(std::move(batch), std::move(done), admission, &before_commit);
}

bool Writer::take(Batch&& batch, Completion&& done, Admission admission,
                  const std::function<void()>* before_commit) {
    const std::size_t bytes = batch.bytes();
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return false;
        std::size_t waiting = waiting_bytes_.load(std::memory_order_relaxed);
        // A batch larger than the whole budget is taken when nothing waits, or it could never be stored.
        if (admission == Admission::within_budget && waiting > 0 && waiting + bytes > options_.byte_budget) {
            backpressure_.store(true, std::memory_order_relaxed);
            refused_.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        waiting_bytes_.store(waiting + bytes, std::memory_order_relaxed);
        waiting_operations_ += batch.size();
        pending_.push_back({std::move(batch), std::move(done)});
        // Under the lock: the thread takes rounds under it, so nothing of this commit is visible before.
        if (before_commit) (*before_commit)();
    }
    wake_.notify_one();
    return true;
}

bool Writer::read_queue(QueueRequest request, PageCompletion&& done) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return false;
        reads_.push_back({std::move(request), std::move(done)});
    }
    wake_.notify_one();
    return true;
}

void Writer::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

namespace {

// What spare batches may hold: enough for the steps of a busy round, a few megabytes at most.
constexpr std::size_t kSpareBatches = 16;
constexpr std::size_t kSpareOperations = 2048;  // a batch with more room than this is freed, not kept

}  // namespace

Batch Writer::empty_batch() {
    std::lock_guard lock(mutex_);
    if (spare_.empty()) return Batch();
    Batch batch = std::move(spare_.back());
    spare_.pop_back();
    return batch;
}

Writer::Counters Writer::counters() const {
    auto get = [](const std::atomic<std::uint64_t>& n) { return n.load(std::memory_order_relaxed); };
    return {get(batches_),    get(operations_), get(commits_),        get(failed_commits_),
            get(pages_read_), get(refused_),    get(largest_commit_), get(cancelled_)};
}

void Writer::run() {
    std::vector<Pending> round;
    std::vector<PageRead> reads;
    auto last_commit = std::chrono::steady_clock::time_point();
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait(lock, [&] { return !pending_.empty() || !reads_.empty() || stopping_; });
        if (pending_.empty() && reads_.empty()) break;  // stopping, and everything drained
        if (options_.gather.count() > 0 && !stopping_ && reads_.empty() &&
            std::chrono::steady_clock::now() - last_commit < options_.busy) {
            // Busy: let the round grow a little (gather_ counts what is waiting). Bounded by `gather`.
            wake_.wait_for(lock, options_.gather, [&] {
                return stopping_ || !reads_.empty() || waiting_operations_ >= options_.gather_operations;
            });
        }
        waiting_operations_ = 0;
        round.swap(pending_);
        reads.swap(reads_);
        lock.unlock();

        std::size_t bytes = 0;
        for (const auto& p : round)
            bytes += p.batch.bytes();
        if (!round.empty()) {
            commit_round(round);
            last_commit = std::chrono::steady_clock::now();
        }
        // The batches' memory goes (or is kept for the loops to fill again) before the budget is given back.
        std::vector<Batch> emptied;
        for (auto& p : round) {
            if (emptied.size() == kSpareBatches) break;
            if (p.batch.capacity() > kSpareOperations) continue;
            p.batch.clear();
            emptied.push_back(std::move(p.batch));
        }
        round.clear();
        for (auto& read : reads) {
            pages_read_.fetch_add(1, std::memory_order_relaxed);
            read.done(store_.read_queue(read.request));
        }
        reads.clear();

        lock.lock();
        for (auto& batch : emptied)
            if (spare_.size() < kSpareBatches) spare_.push_back(std::move(batch));
        std::size_t waiting = waiting_bytes_.load(std::memory_order_relaxed) - bytes;
        waiting_bytes_.store(waiting, std::memory_order_relaxed);
        if (backpressure_.load(std::memory_order_relaxed) && waiting <= options_.byte_budget / 2) {
            backpressure_.store(false, std::memory_order_relaxed);
            if (options_.on_relief) {
                lock.unlock();
                options_.on_relief();
                lock.lock();
            }
        }
    }
}

void Writer::commit_round(std::vector<Pending>& round) {
    std::vector<Batch*> batches;
    batches.reserve(round.size());
    std::uint64_t operations = 0;
    for (auto& p : round) {
        batches.push_back(&p.batch);
        operations += p.batch.size();
    }
    cancelled_.fetch_add(cancel_out(batches), std::memory_order_relaxed);
    std::vector<const Batch*> to_commit(batches.begin(), batches.end());
    auto result = store_.commit(to_commit);
    batches_.fetch_add(round.size(), std::memory_order_relaxed);
    operations_.fetch_add(operations, std::memory_order_relaxed);
    (result ? commits_ : failed_commits_).fetch_add(1, std::memory_order_relaxed);
    if (round.size() > largest_commit_.load(std::memory_order_relaxed))
        largest_commit_.store(round.size(), std::memory_order_relaxed);
    for (auto& p : round)
        if (p.done) p.done(result);
}

}  // namespace culex::store
