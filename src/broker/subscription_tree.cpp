#include "broker/subscription_tree.hpp"

#include <algorithm>
#include <mutex>

namespace culex::broker {

namespace {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Calls `f(level)` for each '/'-separated level of `topic`.
template <typename F>
void for_each_level(std::string_view topic, F&& f) {
    std::size_t start = 0;
    while (true) {
        std::size_t slash = topic.find('/', start);
        if (slash == std::string_view::npos) {
            f(topic.substr(start));
            return;
        }
        f(topic.substr(start, slash - start));
        start = slash + 1;
    }
}

}  // namespace

struct SubscriptionTree::Node {
    std::unordered_map<std::string, std::unique_ptr<Node>, StringHash, std::equal_to<>> children;
    struct Entry {
        AnchorPtr anchor;
        SubscriptionOptions options;
    };
    std::vector<Entry> subscribers;

    Node* child(std::string_view level) const {
        auto it = children.find(level);
        return it == children.end() ? nullptr : it->second.get();
    }
    bool empty() const { return children.empty() && subscribers.empty(); }
};

SubscriptionTree::SubscriptionTree() : root_(std::make_unique<Node>()) {}
SubscriptionTree::~SubscriptionTree() = default;

bool SubscriptionTree::subscribe(std::string_view filter, const AnchorPtr& anchor,
                                 SubscriptionOptions options) {
    std::unique_lock lock(mutex_);
    Node* node = root_.get();
    for_each_level(filter, [&](std::string_view level) {
        auto& slot = node->children[std::string(level)];
        if (!slot) slot = std::make_unique<Node>();
        node = slot.get();
    });
    for (auto& entry : node->subscribers) {
        if (entry.anchor.get() == anchor.get()) {
            entry.options = options;
            return false;
        }
    }
    node->subscribers.push_back({anchor, options});
    ++count_;
    return true;
}

bool SubscriptionTree::unsubscribe(std::string_view filter, const SessionAnchor* anchor) {
    std::unique_lock lock(mutex_);
    std::vector<std::pair<Node*, std::string_view>> path;  // parent and the level leading to the next node
    Node* node = root_.get();
    bool found_path = true;
    for_each_level(filter, [&](std::string_view level) {
        if (!found_path) return;
        Node* next = node->child(level);
        if (!next) {
            found_path = false;
            return;
        }
        path.emplace_back(node, level);
        node = next;
    });
    if (!found_path) return false;
    auto& subs = node->subscribers;
    auto it = std::find_if(subs.begin(), subs.end(),
                           [&](const Node::Entry& e) { return e.anchor.get() == anchor; });
    if (it == subs.end()) return false;
    subs.erase(it);
    --count_;
    // Prune the nodes this left empty, deepest first.
    for (auto step = path.rbegin(); step != path.rend(); ++step) {
        auto child = step->first->children.find(step->second);
        if (!child->second->empty()) break;
        step->first->children.erase(child);
    }
    return true;
}

void SubscriptionTree::match(std::string_view topic, std::vector<SubscriptionMatch>& out) const {
    std::size_t first = out.size();
    auto add_all = [&](const Node& node) {
        for (const auto& e : node.subscribers)
            out.push_back({e.anchor, e.options});
    };
    // Breadth-first over the levels: `current` holds the nodes whose filters match the topic so far.
    thread_local std::vector<const Node*> current, next;
    current.clear();
    current.push_back(root_.get());
    bool dollar_topic = !topic.empty() && topic.front() == '$';
    bool first_level = true;

    std::shared_lock lock(mutex_);
    for_each_level(topic, [&](std::string_view level) {
        next.clear();
        for (const Node* node : current) {
            // Wildcards at the first level do not match topics starting with '$'.
            bool wildcards = !(first_level && dollar_topic);
            if (wildcards) {
                if (const Node* hash = node->child("#")) add_all(*hash);
                if (const Node* plus = node->child("+")) next.push_back(plus);
            }
            if (const Node* exact = node->child(level)) next.push_back(exact);
        }
        first_level = false;
        std::swap(current, next);
    });
    for (const Node* node : current) {
        add_all(*node);
        // "sport/#" also matches "sport".
        if (const Node* hash = node->child("#")) add_all(*hash);
    }
    lock.unlock();

    // One delivery per session, at the highest QoS of its matching subscriptions.
    auto begin = out.begin() + static_cast<std::ptrdiff_t>(first);
    if (out.end() - begin < 2) return;
    std::sort(begin, out.end(), [](const SubscriptionMatch& a, const SubscriptionMatch& b) {
        return a.anchor.get() < b.anchor.get();
    });
    auto write = begin;
    for (auto read = begin + 1; read != out.end(); ++read) {
        if (read->anchor.get() == write->anchor.get()) {
            auto& kept = write->options;
            kept.max_qos = std::max(kept.max_qos, read->options.max_qos);
            kept.retain_as_published = kept.retain_as_published || read->options.retain_as_published;
            kept.no_local = kept.no_local && read->options.no_local;
            if (kept.subscription_id == 0) kept.subscription_id = read->options.subscription_id;
        } else {
            *++write = std::move(*read);
        }
    }
    out.erase(write + 1, out.end());
}

std::size_t SubscriptionTree::size() const {
    std::shared_lock lock(mutex_);
    return count_;
}

}  // namespace culex::broker
