#include "cluster/remote_interest.hpp"

#include <algorithm>
#include <set>

namespace culex::cluster {

namespace {

template <typename Each>
void for_each_line(std::string_view lines, Each each) {
    while (!lines.empty()) {
        auto end = lines.find('\n');
        std::string_view line = lines.substr(0, end);
        if (!line.empty()) each(line);
        if (end == std::string_view::npos) return;
        lines.remove_prefix(end + 1);
    }
}

void add_to(std::map<std::string, int, std::less<>>& subjects, std::string_view subject) {
    auto found = subjects.find(subject);
    if (found == subjects.end())
        subjects.emplace(std::string(subject), 1);
    else
        ++found->second;
}

void remove_from(std::map<std::string, int, std::less<>>& subjects, std::string_view subject) {
    auto found = subjects.find(subject);
    if (found != subjects.end() && --found->second <= 0) subjects.erase(found);
}

}  // namespace

RemoteInterest::NodeInterest& RemoteInterest::node_for(const Update& update) {
    auto found = nodes_.find(update.node);
    if (found == nodes_.end()) {
        found = nodes_.emplace(std::string(update.node), NodeInterest{}).first;
        found->second.incarnation = update.incarnation;
        heard_.notify_all();
        return found->second;
    }
    NodeInterest& node = found->second;
    if (node.incarnation != update.incarnation) {
        // The node started again: what its last run held is gone, and its sequence starts again.
        node = NodeInterest{};
        node.incarnation = update.incarnation;
        changed();
    }
    return node;
}

bool RemoteInterest::apply_delta(const Update& update) {
    std::lock_guard lock(mutex_);
    NodeInterest& node = node_for(update);
    bool follows = update.sequence == node.sequence + 1;
    for_each_line(update.lines, [&](std::string_view line) {
        if (line.front() == '+')
            add_to(node.subjects, line.substr(1));
        else if (line.front() == '-' && follows)
            remove_from(node.subjects, line.substr(1));
    });
    node.sequence = std::max(node.sequence, update.sequence);
    changed();
    return follows;
}

bool RemoteInterest::apply_snapshot(const Update& update, int part, int parts) {
    std::lock_guard lock(mutex_);
    NodeInterest& node = node_for(update);
    if (part == 1) {
        node.pending.clear();
        node.pending_parts = 0;
    }
    if (part != node.pending_parts + 1) {
        node.pending.clear();
        node.pending_parts = 0;
        return false;
    }
    for_each_line(update.lines, [&](std::string_view line) { add_to(node.pending, line); });
    node.pending_parts = part;
    if (part < parts) return true;
    node.subjects = std::move(node.pending);
    node.pending = {};
    node.pending_parts = 0;
    node.sequence = update.sequence;
    changed();
    return true;
}

void RemoteInterest::forget(std::string_view node) {
    std::lock_guard lock(mutex_);
    auto found = nodes_.find(node);
    if (found == nodes_.end()) return;
    nodes_.erase(found);
    changed();
}

std::vector<std::string> RemoteInterest::keep_only(const std::vector<std::string>& live) {
    std::lock_guard lock(mutex_);
    std::set<std::string_view> alive(live.begin(), live.end());
    bool dropped = false;
    for (auto it = nodes_.begin(); it != nodes_.end();) {
        if (alive.contains(it->first)) {
            ++it;
            continue;
        }
        it = nodes_.erase(it);
        dropped = true;
    }
    if (dropped) changed();
    std::vector<std::string> unknown;
    for (const auto& name : live)
        if (!nodes_.contains(name)) unknown.push_back(name);
    return unknown;
}

std::vector<std::string> RemoteInterest::wait_for(const std::vector<std::string>& nodes,
                                                  std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    auto missing = [&] {
        std::vector<std::string> names;
        for (const auto& name : nodes)
            if (!nodes_.contains(name)) names.push_back(name);
        return names;
    };
    heard_.wait_for(lock, timeout, [&] { return missing().empty(); });
    return missing();
}

void RemoteInterest::changed() {
    version_.fetch_add(1, std::memory_order_acq_rel);
}

std::shared_ptr<const InterestTrie> RemoteInterest::trie(std::uint64_t& version) {
    std::lock_guard lock(mutex_);
    std::uint64_t current = version_.load(std::memory_order_acquire);
    if (built_version_ != current || !trie_) {
        auto trie = std::make_shared<InterestTrie>();
        for (const auto& [name, node] : nodes_)
            for (const auto& [subject, count] : node.subjects)
                trie->add(subject);
        trie_ = std::move(trie);
        built_version_ = current;
    }
    version = built_version_;
    return trie_;
}

std::size_t RemoteInterest::subject_count() const {
    std::lock_guard lock(mutex_);
    std::set<std::string_view> subjects;
    for (const auto& [name, node] : nodes_)
        for (const auto& [subject, count] : node.subjects)
            subjects.insert(subject);
    return subjects.size();
}

std::size_t RemoteInterest::node_count() const {
    std::lock_guard lock(mutex_);
    return nodes_.size();
}

}  // namespace culex::cluster
