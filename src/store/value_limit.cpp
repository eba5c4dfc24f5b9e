#include "store/value_limit.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace culex::store {

namespace {

struct Largest {
    template <class Record>
    static std::size_t message(const Record& r) {
        return std::max({r.topic.size(), r.payload.size(), r.properties.size()});
    }
    std::size_t operator()(const op::PutRetained& o) const { return message(o.record); }
    std::size_t operator()(const op::Enqueue& o) const { return message(o.message); }
    std::size_t operator()(const op::PutInflight& o) const { return message(o.record); }
    std::size_t operator()(const op::PutWill& o) const { return message(o.record); }
    // Keys and names are short by the protocol's rules (65,535 bytes at most).
    template <class Other>
    std::size_t operator()(const Other&) const {
        return 0;
    }
};

}  // namespace

std::size_t largest_value(const Operation& operation) {
    return std::visit(Largest{}, operation);
}

StoreError value_too_large(std::size_t size, std::size_t limit) {
    return {
        StoreError::Kind::too_large,
        fmt::format("a value of {} bytes passes the store's limit of {} bytes; nothing of this commit was "
                    "stored (lower message_size_limit so that the broker refuses such messages first)",
                    size, limit)};
}

}  // namespace culex::store
