// What one event loop stores during one step, and what waits for it: the step's store operations go to the
// writer thread as one batch when the step ends, and the acknowledgements that promise them (PUBACK, PUBREC,
// PUBCOMP, SUBACK, UNSUBACK) run on the loop once that batch is committed, and once every other loop that
// stored something for the same PUBLISH (a subscriber's queue on another loop) has committed that too.
// Without a store (persistence false) nothing is collected and nothing waits.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "broker/loop_executor.hpp"
#include "broker/session_anchor.hpp"
#include "store/batch.hpp"
#include "store/store.hpp"

namespace culex::store {
class CommitQueue;
}

namespace culex::broker {

struct Client;

// The commonest thing a commit releases: a PUBACK, PUBREC or PUBCOMP without properties. Kept in the fence as
// data rather than as a closure (which would not fit a move_only_function's own storage): no allocation per
// acknowledged message.
struct PlainAck {
    enum class Kind : std::uint8_t { puback, pubrec, pubcomp };
    std::shared_ptr<Client> client;
    std::uint16_t packet_id = 0;
    Kind kind = Kind::puback;
    std::uint8_t reason = 0;      // the reason code, as on the wire
    std::uint32_t after_actions;  // the fence's actions added before it: it runs after those, before the rest
};

// One step's promise: its actions run on their loop when the last holder lets go (the step's own commit, and
// the commits of other loops that stored deliveries of its messages). Steps of one loop release their actions
// in step order: each fence holds the next one, so a later step's actions never overtake an earlier one's
// (MQTT wants PUBACKs in the order of the PUBLISHes).
class CommitFence {
  public:
    // `committed` false: the store failed, and what the action promised is not stored.
    using Action = std::move_only_function<void(bool committed)>;
    using AckSender = std::function<void(PlainAck&, bool committed)>;

    // `send_ack` (the loop's, outliving its fences) sends the plain acknowledgements.
    CommitFence(LoopExecutor& loop, const AckSender* send_ack) : loop_(loop), send_ack_(send_ack) {}
    CommitFence(const CommitFence&) = delete;
    CommitFence& operator=(const CommitFence&) = delete;
    ~CommitFence();

    void add(Action action) { actions_.push_back(std::move(action)); }
    void add(PlainAck ack) {
        ack.after_actions = static_cast<std::uint32_t>(actions_.size());
        acks_.push_back(std::move(ack));
    }
    // A commit that this fence waited for failed. Any thread.
    void fail() { failed_.store(true, std::memory_order_relaxed); }
    // Set once, by the fence's own loop, when it opens its next step's fence.
    void set_next(std::shared_ptr<CommitFence> next) { next_ = std::move(next); }

  private:
    LoopExecutor& loop_;
    const AckSender* send_ack_;
    std::vector<Action> actions_;
    std::vector<PlainAck> acks_;  // in order among the actions (PlainAck::after_actions)
    std::atomic<bool> failed_{false};
    std::shared_ptr<CommitFence> next_;  // released after this one's actions are posted
};

using FencePtr = std::shared_ptr<CommitFence>;

class StoreStep {
  public:
    explicit StoreStep(LoopExecutor& loop) : loop_(loop) {}

    // From now on the loop stores through `writer` (null: no persistence), numbering queued and in-flight
    // messages from `sequences` (the broker's, shared by every loop). Set before the loops run.
    void use(store::CommitQueue* writer, std::atomic<std::uint64_t>* sequences) {
        writer_ = writer;
        sequences_ = sequences;
    }
    bool enabled() const { return writer_ != nullptr; }

    // The operations of this step; only when enabled().
    store::Batch& batch() { return batch_; }
    // A new sequence for a queued or in-flight record. One counter for the whole broker: a message stored by
    // the publisher's loop for a session on another loop is numbered there, and a client id's records never
    // reuse a number, even across the sessions it has over time. Only when enabled().
    std::uint64_t next_sequence() { return sequences_->fetch_add(1, std::memory_order_relaxed) + 1; }
    // Runs `action` on this loop after this step's commit (and the commits this step waits for).
    void after_commit(CommitFence::Action action) { fence().add(std::move(action)); }
    // Hands `ack` to on_ack's sender on this loop after this step's commit, in order with the actions.
    void after_commit(PlainAck ack) { fence().add(std::move(ack)); }
    // Sends the plain acknowledgements (after_commit(PlainAck)). Set before the loops run.
    void on_ack(CommitFence::AckSender send) { send_ack_ = std::move(send); }
    // This step's fence, if anything waits on it: handed with deliveries to other loops, which hold it until
    // they have committed what they stored of them.
    FencePtr current_fence() const { return fence_; }
    // This step's fence, made if need be, for a holder outside the loops (cluster mode: the node holds it
    // until JetStream acknowledged its copy of a QoS 1/2 message), also without a store: the step's
    // acknowledgements then wait for that holder too.
    FencePtr hold_open() {
        fence();
        return fence_;
    }
    // Whether acknowledgements must go through the fences: a store, or a fence still held from outside
    // (hold_open), which a later acknowledgement must not overtake.
    bool fencing() const { return writer_ != nullptr || fence_ != nullptr || !last_.expired(); }
    // A fence of another loop's step, held until this step's commit.
    void hold(FencePtr other);

    // Held QoS 2 PUBLISHes (Session::send_inflight): after this step's commit, `release` is called with the
    // session's anchor and the packet id, on this loop; it finds the session wherever it has moved meanwhile.
    using Release = std::function<void(const AnchorPtr&, std::uint16_t packet_id)>;
    void on_release(Release release) { release_ = std::move(release); }
    void release_when_stored(const AnchorPtr& anchor, std::uint16_t packet_id) {
        after_commit([this, anchor, packet_id](bool) { release_(anchor, packet_id); });
    }

    // Pages of a session's stored queue (session_stored_queue.cpp): the first page of what the store holds of
    // the session's queue, read once this loop's records so far are committed (messages it already sent are
    // gone from it), is handed to `page` on this loop, which finds the session wherever it has moved.
    using PageRead = std::expected<store::QueuePage, store::StoreError>;
    using Page = std::function<void(const AnchorPtr&, PageRead)>;
    void on_page(Page page) { page_ = std::move(page); }
    void read_page(const AnchorPtr& anchor, std::size_t max_count, std::size_t max_bytes);

    // The step is over: its batch goes to the writer, its fence is released when the batch is committed.
    // Also called mid-step when what was stored so far must be submitted before something else happens (a
    // session handed to another loop, whose later operations must not overtake these). `hand_over` (the
    // step's deliveries to other loops) runs once, after the batch is submitted and before it can be
    // committed: other loops' records of those deliveries must not overtake the batch, and a page of a
    // stored queue that the commit feeds must not overtake the deliveries (CommitQueue::submit_before).
    void end_step(const std::function<void()>& hand_over = nullptr);

  private:
    CommitFence& fence();
    void submit(const std::function<void()>& hand_over);

    LoopExecutor& loop_;
    store::CommitQueue* writer_ = nullptr;
    std::atomic<std::uint64_t>* sequences_ = nullptr;
    store::Batch batch_;
    FencePtr fence_;                   // this step's, created by the first action or hold
    std::weak_ptr<CommitFence> last_;  // the previous step's, while something still holds it
    std::vector<FencePtr> held_;       // other loops' fences that this step's commit releases
    Release release_;
    Page page_;
    CommitFence::AckSender send_ack_;
    bool warned_backlog_ = false;
};

}  // namespace culex::broker
