#include "broker/retained_store.hpp"

#include <map>
#include <string>

namespace culex::broker {

struct RetainedStore::Node {
    std::map<std::string, std::unique_ptr<Node>, std::less<>> children;
    MessagePtr message;
};

RetainedStore::RetainedStore() : root_(std::make_unique<Node>()) {}
RetainedStore::~RetainedStore() = default;

namespace {

std::vector<std::string_view> split_levels(std::string_view text) {
    std::vector<std::string_view> levels;
    std::size_t start = 0;
    while (true) {
        std::size_t slash = text.find('/', start);
        levels.push_back(
            text.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
        if (slash == std::string_view::npos) return levels;
        start = slash + 1;
    }
}

template <typename NodeT>
void collect_all(const NodeT& node, std::vector<MessagePtr>& out) {
    if (node.message) out.push_back(node.message);
    for (const auto& [level, child] : node.children)
        collect_all(*child, out);
}

template <typename NodeT>
void find_in(const NodeT& node, const std::vector<std::string_view>& filter, std::size_t depth,
             std::vector<MessagePtr>& out) {
    if (depth == filter.size()) {
        if (node.message) out.push_back(node.message);
        return;
    }
    std::string_view level = filter[depth];
    bool skip_dollar = depth == 0;  // a leading wildcard does not match topics starting with '$'
    if (level == "#") {
        if (node.message && depth > 0) out.push_back(node.message);  // "sport/#" matches "sport"
        for (const auto& [name, child] : node.children) {
            if (skip_dollar && name.starts_with('$')) continue;
            collect_all(*child, out);
        }
    } else if (level == "+") {
        for (const auto& [name, child] : node.children) {
            if (skip_dollar && name.starts_with('$')) continue;
            find_in(*child, filter, depth + 1, out);
        }
    } else if (auto it = node.children.find(level); it != node.children.end()) {
        find_in(*it->second, filter, depth + 1, out);
    }
}

// Depth first, in topic order; `skip` counts down the offset. False once `out` is full.
template <typename NodeT>
bool page_in(const NodeT& node, std::size_t& skip, std::size_t limit, std::vector<MessagePtr>& out) {
    if (node.message) {
        if (skip > 0)
            --skip;
        else if (out.size() < limit)
            out.push_back(node.message);
        if (out.size() >= limit) return false;
    }
    for (const auto& [level, child] : node.children)
        if (!page_in(*child, skip, limit, out)) return false;
    return true;
}

}  // namespace

void RetainedStore::page(std::size_t offset, std::size_t limit, std::vector<MessagePtr>& out) const {
    if (limit == 0) return;
    std::size_t skip = offset;
    std::lock_guard lock(mutex_);
    page_in(*root_, skip, out.size() + limit, out);
}

void RetainedStore::store(const MessagePtr& message) {
    auto levels = split_levels(message->topic);
    std::lock_guard lock(mutex_);
    if (message->payload.empty()) {
        // Delete, pruning the nodes left empty.
        std::vector<std::pair<Node*, std::string_view>> path;
        Node* node = root_.get();
        for (auto level : levels) {
            auto it = node->children.find(level);
            if (it == node->children.end()) return;
            path.emplace_back(node, level);
            node = it->second.get();
        }
        if (!node->message) return;
        bytes_ -= node->message->payload.size();
        node->message.reset();
        --count_;
        for (auto step = path.rbegin(); step != path.rend(); ++step) {
            auto it = step->first->children.find(step->second);
            if (it->second->message || !it->second->children.empty()) break;
            step->first->children.erase(it);
        }
        return;
    }
    Node* node = root_.get();
    for (auto level : levels) {
        auto it = node->children.find(level);
        if (it == node->children.end())
            it = node->children.emplace(std::string(level), std::make_unique<Node>()).first;
        node = it->second.get();
    }
    if (!node->message) ++count_;
    if (node->message) bytes_ -= node->message->payload.size();
    bytes_ += message->payload.size();
    node->message = message;
}

void RetainedStore::find(std::string_view filter, std::vector<MessagePtr>& out) const {
    auto levels = split_levels(filter);
    std::lock_guard lock(mutex_);
    find_in(*root_, levels, 0, out);
}

std::size_t RetainedStore::size() const {
    std::lock_guard lock(mutex_);
    return count_;
}

std::size_t RetainedStore::payload_bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

}  // namespace culex::broker
