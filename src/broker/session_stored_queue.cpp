// A stored session's queue beyond memory: while its client is away the whole queue lives in the store, and
// while it is connected memory holds at most Session::kMemoryQueue messages; the rest is read back a page at
// a time as the client takes what memory holds. Mosquitto keeps every queued message in RAM, and long outages
// run it out of memory; here they cost disk.
//
// Why a page is read from the start of the stored queue, not from a cursor: sequences come from one counter
// for the whole broker and other loops store messages for this session (router.cpp), so records are not
// committed in sequence order, and a cursor could step over one committed late. A page is asked for only when
// memory holds none of the queue, and every message that arrives meanwhile goes to the store too, so the
// stored queue is exactly what memory does not hold. The page is read after this loop's earlier removals are
// committed (StoreStep::read_page), so nothing already sent comes back. A message stored by another loop
// reaches this loop before any page that holds it can: that loop hands the delivery over before the writer
// can commit the record (CommitQueue::submit_before), and a page is read only after a commit, both reaching
// this loop through its task queue, in order. So it is counted, never put in memory, and never delivered
// twice; at worst it is counted twice, and one more page is read, empty. (When the hand-over ran after the
// submit, a loop preempted in between let the writer commit, read and post the page first: the session took
// the message from the page and again from the late delivery, a QoS 2 message twice in the crash test.)
#include "broker/session.hpp"
#include "broker/store_step.hpp"
#include "broker/stored_records.hpp"
#include "log/logger.hpp"

namespace culex::broker {

using culex::log::logger;
using culex::log::LogType;

bool Session::queues_in_store() const {
    if (!stores()) return false;
    if (!online()) return true;
    if (tail_ && (tail_->count > 0 || tail_->reading)) return true;  // behind what is stored already: order
    return queue_.size() >= kMemoryQueue;
}

void Session::queue_in_store(Outgoing& out) {
    if (out.sequence == 0) {
        out.sequence = store_->next_sequence();
        store_->batch().enqueue(
            stored::queued(client_id(), out.sequence, *out.message, out.qos, out.retain, out.share));
    }
    if (!tail_) tail_ = std::make_unique<StoredTail>();
    tail_->count += 1;
    tail_->bytes += out.message->payload.size();
    if (tail_->reading) tail_->arrived_while_reading = true;
}

void Session::restore_stored_queue(std::uint64_t count, std::uint64_t bytes) {
    if (count == 0) return;
    if (!tail_) tail_ = std::make_unique<StoredTail>();
    tail_->count += count;
    tail_->bytes += bytes;
}

void Session::ask_for_page() {
    if (!tail_ || tail_->reading || !store_) return;
    tail_->reading = true;
    tail_->arrived_while_reading = false;
    store_->read_page(anchor_, kPageMessages, kPageBytes);
}

void Session::take_page(std::expected<store::QueuePage, store::StoreError> page) {
    if (!tail_) return;
    tail_->reading = false;
    if (!page) {
        // Left in the store: the next resume asks again.
        logger().log(LogType::error, "Error: reading the stored queue of {}: {}.", client_id(),
                     page.error().message);
        return;
    }
    if (!online() || !stores()) {
        // Gone away meanwhile: it stays in the store, and so does its count. (Not stored any more: the
        // session's records were deleted with it, page and all.)
        if (!stores()) tail_.reset();
        return;
    }
    std::uint64_t taken = page->messages.size() + page->dropped.size();
    std::uint64_t taken_bytes = 0;
    for (auto& m : page->messages) {
        taken_bytes += m.payload.size();
        MessagePtr message = stored::message(std::move(m.topic), std::move(m.payload), m.qos, m.retain,
                                             m.properties, m.expires_at);
        queued_bytes_ += message->payload.size();
        queue_.push_back(Outgoing{
            std::move(message), m.qos, m.retain, {}, stored::share_key(m.share_name), 0, m.sequence});
    }
    for (const auto& dropped : page->dropped) {
        // Damaged on disk: said once and removed, so that the next page does not meet it again.
        logger().log(LogType::warning, "Warning: dropped queued message {} of {} from the store: {}.",
                     dropped.sequence, client_id(), dropped.why);
        unstore(dropped.sequence);
    }
    tail_->count -= std::min(tail_->count, taken);
    tail_->bytes -= std::min(tail_->bytes, taken_bytes);
    if (!page->more && !tail_->arrived_while_reading) tail_.reset();  // the store holds nothing more of it
    if (tail_ && tail_->count == 0) tail_->count = 1;  // more to read: an estimate that is low, never zero
    pump_queue();
}

}  // namespace culex::broker
