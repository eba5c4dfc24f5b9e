// A batch of store operations, applied all or none. The broker fills one per event (a PUBLISH to queue for
// three offline sessions, a SUBSCRIBE, a disconnect) and hands it to the writer thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "store/records.hpp"

namespace culex::store {

namespace op {
struct PutRetained {
    RetainedRecord record;
};
struct DeleteRetained {
    std::string topic;
};
// Replaces the session record; its subscriptions, queue, in-flight state and will stay.
struct PutSession {
    SessionRecord record;
};
// Ends a session: its record, subscriptions, queued messages, in-flight state and will all go.
struct DeleteSession {
    std::string client_id;
};
// Adds or replaces the subscription with the same (client_id, share_name, filter).
struct AddSubscription {
    SubscriptionRecord record;
};
struct RemoveSubscription {
    std::string client_id;
    std::string share_name;
    std::string filter;
};
struct Enqueue {
    QueuedMessage message;
};
// Removes the session's queued messages with first <= sequence <= last.
struct Dequeue {
    std::string client_id;
    std::uint64_t first = 0;
    std::uint64_t last = 0;
};
// Adds or replaces the exchange with the same (client_id, direction, packet_id).
struct PutInflight {
    InflightRecord record;
};
struct DeleteInflight {
    std::string client_id;
    Direction direction = Direction::outgoing;
    std::uint16_t packet_id = 0;
};
struct PutWill {
    WillRecord record;
};
struct DeleteWill {
    std::string client_id;
};
}  // namespace op

using Operation = std::variant<op::PutRetained, op::DeleteRetained, op::PutSession, op::DeleteSession,
                               op::AddSubscription, op::RemoveSubscription, op::Enqueue, op::Dequeue,
                               op::PutInflight, op::DeleteInflight, op::PutWill, op::DeleteWill>;

class Batch {
  public:
    Batch& put_retained(RetainedRecord record) { return add(op::PutRetained{std::move(record)}); }
    Batch& delete_retained(std::string topic) { return add(op::DeleteRetained{std::move(topic)}); }
    Batch& put_session(SessionRecord record) { return add(op::PutSession{std::move(record)}); }
    Batch& delete_session(std::string client_id) { return add(op::DeleteSession{std::move(client_id)}); }
    Batch& add_subscription(SubscriptionRecord record) { return add(op::AddSubscription{std::move(record)}); }
    Batch& remove_subscription(std::string client_id, std::string share_name, std::string filter) {
        return add(op::RemoveSubscription{std::move(client_id), std::move(share_name), std::move(filter)});
    }
    Batch& enqueue(QueuedMessage message) { return add(op::Enqueue{std::move(message)}); }
    Batch& dequeue(std::string client_id, std::uint64_t first, std::uint64_t last) {
        return add(op::Dequeue{std::move(client_id), first, last});
    }
    Batch& put_inflight(InflightRecord record) { return add(op::PutInflight{std::move(record)}); }
    Batch& delete_inflight(std::string client_id, Direction direction, std::uint16_t packet_id) {
        return add(op::DeleteInflight{std::move(client_id), direction, packet_id});
    }
    Batch& put_will(WillRecord record) { return add(op::PutWill{std::move(record)}); }
    Batch& delete_will(std::string client_id) { return add(op::DeleteWill{std::move(client_id)}); }

    Batch& add(Operation operation);
    void reserve(std::size_t operations) { operations_.reserve(operations); }
    std::size_t capacity() const { return operations_.capacity(); }
    // Empty again, keeping the room it had: a committed batch is filled anew (CommitQueue::empty_batch).
    void clear() {
        operations_.clear();
        bytes_ = 0;
    }
    // Keeps the operations whose `keep` is true, in order (cancel_out.hpp).
    void keep_only(const std::vector<bool>& keep);

    const std::vector<Operation>& operations() const { return operations_; }
    std::size_t size() const { return operations_.size(); }
    bool empty() const { return operations_.empty(); }
    // What the batch holds in memory, roughly (bytes of its strings and payloads plus a fixed cost per
    // operation): what the writer's byte budget counts.
    std::size_t bytes() const { return bytes_; }

  private:
    std::vector<Operation> operations_;
    std::size_t bytes_ = 0;
};

}  // namespace culex::store
