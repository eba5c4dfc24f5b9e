// What the broker's event loops need of the writer thread: batches to commit and queue pages to read, each
// with a completion. The Writer (writer.hpp) is the implementation that runs; the broker's unit tests drive a
// manual one, so that they decide when a commit happens and whether it fails.
#pragma once

#include <cstddef>
#include <expected>
#include <functional>

#include "store/batch.hpp"
#include "store/store.hpp"

namespace culex::store {

class CommitQueue {
  public:
    // Called once the batch is committed (or the commit failed: nothing of it stored), on the writer's
    // thread.
    using Completion = std::function<void(const std::expected<void, StoreError>&)>;
    using PageCompletion = std::function<void(std::expected<QueuePage, StoreError>)>;

    enum class Admission {
        within_budget,  // refused when the budget is spent: messages (PUBLISH to queue, retain, in-flight)
        always,         // taken anyway: small state changes that must not be lost (a session ending)
    };

    virtual ~CommitQueue() = default;

    // Never blocks on the disk. False: refused (budget spent, or stopped); the completion will not be called.
    [[nodiscard]] virtual bool submit(Batch&& batch, Completion&& done,
                                      Admission admission = Admission::within_budget) = 0;
    // submit(), and `before_commit` run once the batch is taken, before the commit can begin: what must reach
    // other threads ahead of anything this commit makes visible. The broker hands over there the deliveries
    // of the messages the batch stores for sessions on other loops: a page of such a session's queue read
    // after the commit must not reach its loop before the delivery of a message it holds (the loop would
    // take that message twice). Not run when refused.
    [[nodiscard]] virtual bool submit_before(Batch&& batch, Completion&& done, Admission admission,
                                             const std::function<void()>& before_commit) {
        if (!submit(std::move(batch), std::move(done), admission)) return false;
        before_commit();  // implementations whose commits run elsewhere must do better (Writer does)
        return true;
    }
    // A page of a session's queue, read after the commit of everything submitted before it. False: stopped.
    [[nodiscard]] virtual bool read_queue(QueueRequest request, PageCompletion&& done) = 0;
    // Bytes of batches submitted and not yet committed.
    virtual std::size_t waiting_bytes() const = 0;
    // A batch to fill: one whose room a commit left behind when there is one. A loop submits a batch every
    // step; allocating each anew (hundreds of kilobytes under load) cost page faults on every step.
    virtual Batch empty_batch() { return Batch(); }
};

}  // namespace culex::store
