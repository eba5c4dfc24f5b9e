#include "broker/subscription_tree.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <shared_mutex>

#include <boost/unordered/unordered_flat_map.hpp>

#include "broker/cluster_link.hpp"
#include "protocol/topic.hpp"

namespace culex::broker {

namespace {

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

struct Entry {
    AnchorPtr anchor;
    SubscriptionOptions options;
};

// Replaces the options of `anchor`'s entry, or adds one; true when added.
bool upsert(std::vector<Entry>& entries, const AnchorPtr& anchor, SubscriptionOptions options) {
    for (auto& entry : entries) {
        if (entry.anchor.get() == anchor.get()) {
            entry.options = options;
            return false;
        }
    }
    entries.push_back({anchor, options});
    return true;
}

bool remove(std::vector<Entry>& entries, const SessionAnchor* anchor) {
    auto it = std::find_if(entries.begin(), entries.end(),
                           [&](const Entry& e) { return e.anchor.get() == anchor; });
    if (it == entries.end()) return false;
    entries.erase(it);
    return true;
}

}  // namespace

struct SubscriptionTree::SharedGroup {
    std::string name;
    ShareKey key;
    std::vector<Entry> members;
    // Advanced by every reader under the shared lock, hence atomic; the order only needs to be fair.
    mutable std::atomic<std::uint32_t> next{0};

    // The next member in turn, skipping `except` and preferring one whose session is online (a message
    // given to an offline member would wait in its queue while the others idle).
    const Entry* pick(const SessionAnchor* except) const {
        std::size_t n = members.size();
        if (n == 0) return nullptr;
        std::size_t start = next.fetch_add(1, std::memory_order_relaxed);
        const Entry* offline = nullptr;
        for (std::size_t i = 0; i < n; ++i) {
            const Entry& e = members[(start + i) % n];
            if (e.anchor.get() == except) continue;
            if (e.anchor->online.load(std::memory_order_relaxed)) return &e;
            if (!offline) offline = &e;
        }
        return offline;
    }
};

namespace {

// Hashes a level name, and lets the map find a std::string key by a string_view without making a string.
struct LevelHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view level) const noexcept {
        return std::hash<std::string_view>{}(level);
    }
};

}  // namespace

struct SubscriptionTree::Node {
    // Named levels; '+' and '#' have slots of their own, so that matching a level costs one hash lookup
    // instead of three. Open addressing with a power-of-two table: a lookup is a hash and a masked probe,
    // where std::unordered_map's prime-sized buckets cost a 64-bit division per level of every PUBLISH
    // (measured: a quarter of the tree walk in p2p over TLS).
    boost::unordered_flat_map<std::string, std::unique_ptr<Node>, LevelHash, std::equal_to<>> children;
    std::unique_ptr<Node> plus, hash;
    std::vector<Entry> subscribers;
    std::vector<std::unique_ptr<SharedGroup>> groups;

    Node* child(std::string_view level) const {
        if (level == "+") return plus.get();
        if (level == "#") return hash.get();
        return named(level);
    }
    Node* named(std::string_view level) const {
        if (children.empty()) return nullptr;
        auto it = children.find(level);
        return it == children.end() ? nullptr : it->second.get();
    }
    std::unique_ptr<Node>& slot(std::string_view level) {
        if (level == "+") return plus;
        if (level == "#") return hash;
        return children[std::string(level)];
    }
    // Drops the child at `level` (empty by now).
    void erase(std::string_view level) {
        if (level == "+") {
            plus.reset();
        } else if (level == "#") {
            hash.reset();
        } else {
            children.erase(children.find(level));
        }
    }
    SharedGroup* group(std::string_view name) const {
        for (const auto& g : groups)
            if (g->name == name) return g.get();
        return nullptr;
    }
    bool empty() const { return children.empty() && !plus && !hash && subscribers.empty() && groups.empty(); }
};

SubscriptionTree::SubscriptionTree() : root_(std::make_unique<Node>()) {}
SubscriptionTree::~SubscriptionTree() = default;

bool SubscriptionTree::subscribe(std::string_view filter, const AnchorPtr& anchor,
                                 SubscriptionOptions options) {
    auto shared = protocol::parse_shared_filter(filter);
    std::unique_lock lock(mutex_);
    Node* node = root_.get();
    for_each_level(shared ? shared->filter : filter, [&](std::string_view level) {
        auto& slot = node->slot(level);
        if (!slot) slot = std::make_unique<Node>();
        node = slot.get();
    });
    bool added = false;
    if (shared) {
        SharedGroup* group = node->group(shared->group);
        if (!group) {
            auto created = std::make_unique<SharedGroup>();
            created->name = std::string(shared->group);
            created->key = std::make_shared<const std::string>(filter);
            group = node->groups.emplace_back(std::move(created)).get();
        }
        added = upsert(group->members, anchor, options);
    } else {
        added = upsert(node->subscribers, anchor, options);
    }
    if (added) ++count_;
    lock.unlock();
    if (added && cluster_) cluster_->interest_added(filter);
    return added;
}

bool SubscriptionTree::unsubscribe(std::string_view filter, const SessionAnchor* anchor) {
    auto shared = protocol::parse_shared_filter(filter);
    std::unique_lock lock(mutex_);
    std::vector<std::pair<Node*, std::string_view>> path;  // parent and the level leading to the next node
    Node* node = root_.get();
    bool found_path = true;
    for_each_level(shared ? shared->filter : filter, [&](std::string_view level) {
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
    if (shared) {
        SharedGroup* group = node->group(shared->group);
        if (!group || !remove(group->members, anchor)) return false;
        if (group->members.empty())
            std::erase_if(node->groups, [&](const auto& g) { return g.get() == group; });
    } else if (!remove(node->subscribers, anchor)) {
        return false;
    }
    --count_;
    // Prune the nodes this left empty, deepest first.
    for (auto step = path.rbegin(); step != path.rend(); ++step) {
        if (!step->first->child(step->second)->empty()) break;
        step->first->erase(step->second);
    }
    lock.unlock();
    if (cluster_) cluster_->interest_removed(filter);
    return true;
}

void SubscriptionTree::match(std::string_view topic, std::vector<SubscriptionMatch>& out) const {
    std::size_t first = out.size();
    thread_local std::vector<SubscriptionMatch> shared_picks;
    shared_picks.clear();
    auto add_all = [&](const Node& node) {
        for (const auto& e : node.subscribers)
            out.push_back({e.anchor, e.options, SubscriptionIds(e.options.subscription_id), nullptr});
        for (const auto& group : node.groups)
            if (const Entry* e = group->pick(nullptr))
                shared_picks.push_back(
                    {e->anchor, e->options, SubscriptionIds(e->options.subscription_id), group->key});
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
                if (node->hash) add_all(*node->hash);
                if (node->plus) next.push_back(node->plus.get());
            }
            if (const Node* exact = node->named(level)) next.push_back(exact);
        }
        first_level = false;
        std::swap(current, next);
    });
    for (const Node* node : current) {
        add_all(*node);
        // "sport/#" also matches "sport".
        if (node->hash) add_all(*node->hash);
    }
    lock.unlock();

    // One delivery per session, at the highest QoS of its ordinary matching subscriptions, carrying all
    // their identifiers (a further copy when they do not fit). Shared picks are deliveries of their own.
    auto begin = out.begin() + static_cast<std::ptrdiff_t>(first);
    if (out.end() - begin >= 2) {
        std::sort(begin, out.end(), [](const SubscriptionMatch& a, const SubscriptionMatch& b) {
            return a.anchor.get() < b.anchor.get();
        });
        auto write = begin;
        for (auto read = begin + 1; read != out.end(); ++read) {
            if (read->anchor.get() == write->anchor.get() && (read->ids.empty() || !write->ids.full())) {
                auto& kept = write->options;
                kept.max_qos = std::max(kept.max_qos, read->options.max_qos);
                kept.retain_as_published = kept.retain_as_published || read->options.retain_as_published;
                kept.no_local = kept.no_local && read->options.no_local;
                if (kept.subscription_id == 0) kept.subscription_id = read->options.subscription_id;
                for (std::uint32_t id : read->ids.span())
                    write->ids.add(id);
            } else {
                *++write = std::move(*read);
            }
        }
        out.erase(write + 1, out.end());
    }
    for (auto& pick : shared_picks)
        out.push_back(std::move(pick));
    shared_picks.clear();
}

std::optional<SubscriptionMatch> SubscriptionTree::pick_shared(const std::string& share,
                                                               const SessionAnchor* except) const {
    auto shared = protocol::parse_shared_filter(share);
    if (!shared) return std::nullopt;
    std::shared_lock lock(mutex_);
    const Node* node = root_.get();
    for_each_level(shared->filter, [&](std::string_view level) {
        if (node) node = node->child(level);
    });
    const SharedGroup* group = node ? node->group(shared->group) : nullptr;
    const Entry* e = group ? group->pick(except) : nullptr;
    if (!e || e->anchor.get() == except) return std::nullopt;
    return SubscriptionMatch{e->anchor, e->options, SubscriptionIds(e->options.subscription_id), group->key};
}

std::size_t SubscriptionTree::size() const {
    std::shared_lock lock(mutex_);
    return count_;
}

}  // namespace culex::broker
