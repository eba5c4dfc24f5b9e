#include "store/memory_store.hpp"

#include "store/value_limit.hpp"

namespace culex::store {

struct MemoryStore::Apply {
    MemoryStore& s;

    void operator()(const op::PutRetained& o) const {
        s.retained_.insert_or_assign(o.record.topic, o.record);
    }
    void operator()(const op::DeleteRetained& o) const {
        if (auto it = s.retained_.find(o.topic); it != s.retained_.end()) s.retained_.erase(it);
    }
    void operator()(const op::PutSession& o) const {
        s.sessions_.insert_or_assign(o.record.client_id, o.record);
    }
    void operator()(const op::DeleteSession& o) const {
        const std::string& id = o.client_id;
        if (auto it = s.sessions_.find(id); it != s.sessions_.end()) s.sessions_.erase(it);
        if (auto it = s.queues_.find(id); it != s.queues_.end()) s.queues_.erase(it);
        if (auto it = s.wills_.find(id); it != s.wills_.end()) s.wills_.erase(it);
        std::erase_if(s.subscriptions_, [&](const auto& kv) { return std::get<0>(kv.first) == id; });
        std::erase_if(s.inflight_, [&](const auto& kv) { return std::get<0>(kv.first) == id; });
    }
    void operator()(const op::AddSubscription& o) const {
        const auto& r = o.record;
        s.subscriptions_.insert_or_assign(SubscriptionKey{r.client_id, r.share_name, r.filter}, r);
    }
    void operator()(const op::RemoveSubscription& o) const {
        s.subscriptions_.erase(SubscriptionKey{o.client_id, o.share_name, o.filter});
    }
    void operator()(const op::Enqueue& o) const {
        s.queues_[o.message.client_id].insert_or_assign(o.message.sequence, o.message);
    }
    void operator()(const op::Dequeue& o) const {
        auto it = s.queues_.find(o.client_id);
        if (it == s.queues_.end() || o.first > o.last) return;
        auto& queue = it->second;
        queue.erase(queue.lower_bound(o.first), queue.upper_bound(o.last));
        if (queue.empty()) s.queues_.erase(it);
    }
    void operator()(const op::PutInflight& o) const {
        const auto& r = o.record;
        s.inflight_.insert_or_assign(InflightKey{r.client_id, r.direction, r.packet_id}, r);
    }
    void operator()(const op::DeleteInflight& o) const {
        s.inflight_.erase(InflightKey{o.client_id, o.direction, o.packet_id});
    }
    void operator()(const op::PutWill& o) const { s.wills_.insert_or_assign(o.record.client_id, o.record); }
    void operator()(const op::DeleteWill& o) const {
        if (auto it = s.wills_.find(o.client_id); it != s.wills_.end()) s.wills_.erase(it);
    }
};

std::expected<void, StoreError> MemoryStore::commit(std::span<const Batch* const> batches) {
    // Checked before anything is applied: the commit is all or nothing, as SQLite's transaction is.
    for (const Batch* batch : batches)
        for (const Operation& operation : batch->operations())
            if (auto largest = largest_value(operation); largest > max_value_bytes_)
                return std::unexpected(value_too_large(largest, max_value_bytes_));
    for (const Batch* batch : batches)
        for (const Operation& operation : batch->operations())
            std::visit(Apply{*this}, operation);
    return {};
}

std::expected<LoadedState, StoreError> MemoryStore::load() {
    LoadedState state;
    auto& recovery = state.recovery;
    for (const auto& [_, r] : retained_)
        state.retained.push_back(r);
    for (const auto& [_, r] : sessions_)
        state.sessions.push_back(r);
    for (const auto& [_, r] : subscriptions_)
        state.subscriptions.push_back(r);
    for (const auto& [_, r] : inflight_)
        state.inflight.push_back(r);
    for (const auto& [_, r] : wills_)
        state.wills.push_back(r);
    for (const auto& [id, queue] : queues_) {
        QueueSummary summary{id, queue.size(), 0, queue.begin()->first, queue.rbegin()->first};
        for (const auto& [_, m] : queue)
            summary.bytes += m.topic.size() + m.payload.size() + m.properties.size();
        recovery.count_intact(RecordKind::queued, queue.size());
        state.queues.push_back(std::move(summary));
    }
    recovery.count_intact(RecordKind::retained, state.retained.size());
    recovery.count_intact(RecordKind::session, state.sessions.size());
    recovery.count_intact(RecordKind::subscription, state.subscriptions.size());
    recovery.count_intact(RecordKind::inflight, state.inflight.size());
    recovery.count_intact(RecordKind::will, state.wills.size());
    return state;
}

std::expected<QueuePage, StoreError> MemoryStore::read_queue(const QueueRequest& request) {
    QueuePage page;
    page.last_sequence = request.after_sequence;
    auto it = queues_.find(request.client_id);
    if (it == queues_.end()) return page;
    const auto& queue = it->second;
    std::size_t bytes = 0;
    for (auto m = queue.upper_bound(request.after_sequence); m != queue.end(); ++m) {
        std::size_t size = m->second.topic.size() + m->second.payload.size() + m->second.properties.size();
        bool full = page.messages.size() >= request.max_count ||
                    (!page.messages.empty() && bytes + size > request.max_bytes);
        if (full) {
            page.more = true;
            break;
        }
        bytes += size;
        page.messages.push_back(m->second);
        page.last_sequence = m->first;
    }
    return page;
}

}  // namespace culex::store
