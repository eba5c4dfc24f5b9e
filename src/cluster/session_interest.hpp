// What the cluster's persistent sessions could want from the stream of QoS 1/2 messages: the subjects (under
// MessageStream::kPrefix) of the QoS 1/2 subscriptions of every session recorded in culex_sessions, online or
// offline, on any node (session_watch.hpp reads the records). A node stores a QoS 1/2 message in JetStream
// only when one of them matches it: a message that only clean sessions want is not stored, nor does its
// PUBACK wait for JetStream (docs/cluster.md, "What is stored"). Shared subscriptions and QoS 0 ones are left
// out: a resumed session is not given what they matched while it was away.
//
// Unsure means stored: until every record that existed when the watch started has been read, everything
// matches; a record that goes (deleted when its session resumes on another node, which writes it again
// moments later) still counts for kRemovalGrace. Loops read the union as an immutable InterestTrie, comparing
// one version number per message, as with RemoteInterest. Thread-safe; no NATS here (unit-tested alone).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/cluster_link.hpp"
#include "cluster/interest_trie.hpp"

namespace culex::cluster {

class SessionInterest {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::seconds kRemovalGrace{5};

    // A record under `key` was written with these subscriptions: they replace what was known of it. True
    // when that changed the record's subjects (a new record, a new or lost subscription).
    bool put(std::string_view key, const std::vector<broker::ClusterSubscription>& subscriptions);
    // The record under `key` went at `now`: its subjects still count until prune() after kRemovalGrace.
    void remove(std::string_view key, Clock::time_point now);
    // Forgets the records removed more than kRemovalGrace before `now`.
    void prune(Clock::time_point now);
    // Every record that existed when the watch started has been read: from now on, only what matches them
    // is stored.
    void loaded();
    // Waits until loaded(), at most `timeout`; whether it was.
    bool wait_loaded(std::chrono::milliseconds timeout);

    // Changes with every change of the subjects wanted: a loop compares it with the version of its trie.
    std::uint64_t version() const { return version_.load(std::memory_order_acquire); }
    // The union of the subjects wanted, and its version (rebuilt if it changed since the last call); before
    // loaded(), a trie that matches every subject under MessageStream::kPrefix.
    std::shared_ptr<const InterestTrie> trie(std::uint64_t& version);

    // How many records are known (sessions), and how many distinct subjects they want.
    std::size_t session_count() const;
    std::size_t subject_count() const;

  private:
    struct Record {
        std::vector<std::string> subjects;  // sorted, each once
        std::optional<Clock::time_point> removed_at;
    };

    void count(const std::vector<std::string>& subjects, int delta);

    mutable std::mutex mutex_;
    std::condition_variable loaded_signal_;
    bool loaded_ = false;
    std::map<std::string, Record, std::less<>> records_;
    // Removals in the order they came (times never go back: one watch thread), so that prune() looks at
    // what is due, not at every record.
    std::deque<std::pair<Clock::time_point, std::string>> removals_;
    std::map<std::string, int, std::less<>> subjects_;  // subject -> how many records want it
    std::atomic<std::uint64_t> version_{1};
    std::uint64_t built_version_ = 0;
    std::shared_ptr<const InterestTrie> trie_;
};

// The subjects under MessageStream::kPrefix that a session with these subscriptions could want stored:
// sorted, each once.
std::vector<std::string> stored_subjects(const std::vector<broker::ClusterSubscription>& subscriptions);

}  // namespace culex::cluster
