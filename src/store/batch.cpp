#include "store/batch.hpp"

namespace culex::store {

namespace {

// The record itself, the variant around it and the vector slot: what an operation costs beyond its bytes.
constexpr std::size_t kOperationOverhead = sizeof(Operation) + 32;

std::size_t optional_size(const std::optional<std::string>& text) {
    return text ? text->size() : 0;
}

struct VariableBytes {
    std::size_t operator()(const op::PutRetained& o) const {
        return o.record.topic.size() + o.record.payload.size() + o.record.properties.size();
    }
    std::size_t operator()(const op::DeleteRetained& o) const { return o.topic.size(); }
    std::size_t operator()(const op::PutSession& o) const {
        return o.record.client_id.size() + optional_size(o.record.username);
    }
    std::size_t operator()(const op::DeleteSession& o) const { return o.client_id.size(); }
    std::size_t operator()(const op::AddSubscription& o) const {
        return o.record.client_id.size() + o.record.filter.size() + o.record.share_name.size();
    }
    std::size_t operator()(const op::RemoveSubscription& o) const {
        return o.client_id.size() + o.share_name.size() + o.filter.size();
    }
    std::size_t operator()(const op::Enqueue& o) const {
        const auto& m = o.message;
        return m.client_id.size() + m.topic.size() + m.payload.size() + m.properties.size() +
               m.share_name.size();
    }
    std::size_t operator()(const op::Dequeue& o) const { return o.client_id.size(); }
    std::size_t operator()(const op::PutInflight& o) const {
        const auto& r = o.record;
        return r.client_id.size() + r.topic.size() + r.payload.size() + r.properties.size() +
               r.share_name.size();
    }
    std::size_t operator()(const op::DeleteInflight& o) const { return o.client_id.size(); }
    std::size_t operator()(const op::PutWill& o) const {
        const auto& r = o.record;
        return r.client_id.size() + r.topic.size() + r.payload.size() + r.properties.size();
    }
    std::size_t operator()(const op::DeleteWill& o) const { return o.client_id.size(); }
};

}  // namespace

void Batch::keep_only(const std::vector<bool>& keep) {
    // In place: the kept operations move forward over the dropped ones.
    std::size_t kept = 0;
    bytes_ = 0;
    for (std::size_t i = 0; i < operations_.size(); ++i) {
        if (!keep[i]) continue;
        bytes_ += kOperationOverhead + std::visit(VariableBytes{}, operations_[i]);
        if (kept != i) operations_[kept] = std::move(operations_[i]);
        ++kept;
    }
    operations_.erase(operations_.begin() + static_cast<std::ptrdiff_t>(kept), operations_.end());
}

Batch& Batch::add(Operation operation) {
    bytes_ += kOperationOverhead + std::visit(VariableBytes{}, operation);
    operations_.push_back(std::move(operation));
    return *this;
}

}  // namespace culex::store
