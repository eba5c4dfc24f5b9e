#include "cluster/session_interest.hpp"

#include <algorithm>

#include "cluster/message_stream.hpp"
#include "cluster/subject_map.hpp"

namespace culex::cluster {

std::vector<std::string> stored_subjects(const std::vector<broker::ClusterSubscription>& subscriptions) {
    std::vector<std::string> subjects;
    for (const auto& [filter, options] : subscriptions) {
        // As SessionDirectory::resume reads them back: QoS 0 and shared subscriptions are not replayed.
        if (options.max_qos == protocol::QoS::at_most_once || filter.starts_with("$share/")) continue;
        for (auto& subject : subjects_from_filter(MessageStream::kPrefix, filter))
            subjects.push_back(std::move(subject));
    }
    std::sort(subjects.begin(), subjects.end());
    subjects.erase(std::unique(subjects.begin(), subjects.end()), subjects.end());
    return subjects;
}

void SessionInterest::count(const std::vector<std::string>& subjects, int delta) {
    bool changed = false;
    for (const auto& subject : subjects) {
        auto found = subjects_.find(subject);
        if (found == subjects_.end()) {
            if (delta < 0) continue;
            subjects_.emplace(subject, delta);
            changed = true;
        } else if ((found->second += delta) <= 0) {
            subjects_.erase(found);
            changed = true;
        }
    }
    if (changed) version_.fetch_add(1, std::memory_order_acq_rel);
}

bool SessionInterest::put(std::string_view key,
                          const std::vector<broker::ClusterSubscription>& subscriptions) {
    auto subjects = stored_subjects(subscriptions);
    std::lock_guard lock(mutex_);
    auto found = records_.find(key);
    if (found == records_.end()) {
        count(subjects, +1);
        records_.emplace(std::string(key), Record{std::move(subjects), std::nullopt});
        return true;
    }
    Record& record = found->second;
    bool was_removed = std::exchange(record.removed_at, std::nullopt).has_value();
    if (record.subjects == subjects) return was_removed;
    // The new ones counted before the old ones go: a subject kept by both never drops to zero.
    count(subjects, +1);
    count(record.subjects, -1);
    record.subjects = std::move(subjects);
    return true;
}

void SessionInterest::remove(std::string_view key, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto found = records_.find(key);
    if (found == records_.end() || found->second.removed_at) return;
    found->second.removed_at = now;
    removals_.emplace_back(now, std::string(key));
}

void SessionInterest::prune(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    while (!removals_.empty() && now - removals_.front().first >= kRemovalGrace) {
        auto& [removed_at, key] = removals_.front();
        // Written again since (removed_at cleared), or removed again later (its own entry comes later).
        if (auto found = records_.find(key);
            found != records_.end() && found->second.removed_at == removed_at) {
            count(found->second.subjects, -1);
            records_.erase(found);
        }
        removals_.pop_front();
    }
}

void SessionInterest::loaded() {
    {
        std::lock_guard lock(mutex_);
        if (loaded_) return;
        loaded_ = true;
        version_.fetch_add(1, std::memory_order_acq_rel);
    }
    loaded_signal_.notify_all();
}

bool SessionInterest::wait_loaded(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return loaded_signal_.wait_for(lock, timeout, [this] { return loaded_; });
}

std::shared_ptr<const InterestTrie> SessionInterest::trie(std::uint64_t& version) {
    std::lock_guard lock(mutex_);
    std::uint64_t current = version_.load(std::memory_order_acquire);
    if (built_version_ != current || !trie_) {
        auto trie = std::make_shared<InterestTrie>();
        if (!loaded_) {
            trie->add(std::string(MessageStream::kPrefix) + ">");
        } else {
            for (const auto& [subject, count] : subjects_)
                trie->add(subject);
        }
        trie_ = std::move(trie);
        built_version_ = current;
    }
    version = built_version_;
    return trie_;
}

std::size_t SessionInterest::session_count() const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(
        std::count_if(records_.begin(), records_.end(), [](const auto& r) { return !r.second.removed_at; }));
}

std::size_t SessionInterest::subject_count() const {
    std::lock_guard lock(mutex_);
    return subjects_.size();
}

}  // namespace culex::cluster
