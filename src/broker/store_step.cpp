#include "broker/store_step.hpp"

#include <algorithm>

#include "log/logger.hpp"
#include "store/commit_queue.hpp"

namespace culex::broker {

using culex::log::logger;
using culex::log::LogType;

CommitFence::~CommitFence() {
    if (actions_.empty() && acks_.empty()) return;
    bool committed = !failed_.load(std::memory_order_relaxed);
    // Posted, not run: the last holder may be the writer thread or another loop.
    loop_.post(
        [actions = std::move(actions_), acks = std::move(acks_), send_ack = send_ack_, committed]() mutable {
            std::size_t next_ack = 0;
            auto acks_before = [&](std::size_t action) {
                for (; next_ack < acks.size() && acks[next_ack].after_actions <= action; ++next_ack)
                    (*send_ack)(acks[next_ack], committed);
            };
            for (std::size_t i = 0; i < actions.size(); ++i) {
                acks_before(i);
                actions[i](committed);
            }
            acks_before(actions.size());
        });
    // next_ is released after this, so the next step's actions are posted after these.
}

CommitFence& StoreStep::fence() {
    if (!fence_) {
        fence_ = std::make_shared<CommitFence>(loop_, &send_ack_);
        if (auto previous = last_.lock()) previous->set_next(fence_);
        last_ = fence_;
    }
    return *fence_;
}

void StoreStep::hold(FencePtr other) {
    if (other) held_.push_back(std::move(other));
}

void StoreStep::read_page(const AnchorPtr& anchor, std::size_t max_count, std::size_t max_bytes) {
    after_commit([this, anchor, max_count, max_bytes](bool) {
        store::QueueRequest request{anchor->client_id, 0, max_count, max_bytes};
        bool asked = writer_->read_queue(std::move(request), [this, anchor](PageRead page) {
            // Writer thread: back to this loop.
            loop_.post([this, anchor, page = std::move(page)]() mutable { page_(anchor, std::move(page)); });
        });
        if (!asked)
            page_(anchor, std::unexpected(store::StoreError{store::StoreError::Kind::unavailable,
                                                            "the writer has stopped"}));
    });
}

void StoreStep::end_step(const std::function<void()>& hand_over) {
    if (!writer_ || batch_.empty()) {
        // Nothing of this step to wait for (but what held it from outside, hold_open): its actions go once
        // the earlier steps' have.
        held_.clear();
        fence_.reset();
        if (hand_over) hand_over();
        return;
    }
    submit(hand_over);
}

void StoreStep::submit(const std::function<void()>& hand_over) {
    auto done = [fence = std::move(fence_),
                 held = std::move(held_)](const std::expected<void, store::StoreError>& result) {
        if (result) return;  // the references drop with this function object: the fences may run now
        logger().log(LogType::error, "Error: the store failed: {}; what it held is not acknowledged.",
                     result.error().message);
        if (fence) fence->fail();
        for (const auto& other : held)
            other->fail();
    };
    fence_ = nullptr;
    held_.clear();
    store::Batch batch = std::move(batch_);
    batch_ = writer_->empty_batch();
    // The next step under the same load stores about as much: room for it at once instead of a chain of
    // growths, each moving every operation so far.
    batch_.reserve(std::min<std::size_t>(batch.size(), 2048));
    // The hand-over runs before the writer can commit the batch (CommitQueue::submit_before says why), and
    // exactly once: here when taken, below otherwise.
    static const std::function<void()> kNothing = [] {};
    const std::function<void()>& before_commit = hand_over ? hand_over : kNothing;
    if (writer_->submit_before(std::move(batch), store::CommitQueue::Completion(done),
                               store::CommitQueue::Admission::within_budget, before_commit))
        return;
    // Refused: the writer's byte budget is spent (the disk is slower than the publishers). Nothing taken in
    // may be lost, so it is queued anyway, and the acknowledgements it carries wait for it: publishers that
    // wait for their PUBACKs (their in-flight window) slow down to the disk's pace.
    if (!warned_backlog_) {
        warned_backlog_ = true;
        logger().log(LogType::warning,
                     "Warning: the store is behind ({} bytes waiting to be written): acknowledgements wait "
                     "for the disk.",
                     writer_->waiting_bytes());
    }
    if (writer_->submit_before(std::move(batch), store::CommitQueue::Completion(done),
                               store::CommitQueue::Admission::always, before_commit))
        return;
    before_commit();
    done(std::unexpected(store::StoreError{store::StoreError::Kind::unavailable, "the writer has stopped"}));
}

}  // namespace culex::broker
