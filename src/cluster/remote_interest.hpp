// What the other nodes of the cluster are interested in: for each node, the subjects of its NATS
// subscriptions as it announced them (interest_gossip.hpp carries the announcements), and their union as an
// InterestTrie the loops read without a lock. A loop keeps its own pointer to the current trie and compares
// one version number per PUBLISH (read-only on the hot path: written only when interest changes); when it has
// moved on, it takes the new trie under the mutex. The trie is rebuilt lazily, once per change, by the first
// loop that asks.
//
// Each node numbers its announcements (incarnation, sequence). A delta that does not follow the last one
// known is a gap: its additions are applied (never its removals: unsure interest is kept, so that a message
// is sent rather than lost) and the caller asks that node for a full snapshot, which replaces what was known.
// Thread-safe; no NATS here (unit-tested alone).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/interest_trie.hpp"

namespace culex::cluster {

class RemoteInterest {
  public:
    // A node's announcement: `lines` holds one subject per line, each led by '+' (gained) or '-' (lost) in a
    // delta, bare in a snapshot.
    struct Update {
        std::string_view node;
        std::string_view incarnation;
        std::uint64_t sequence = 0;  // a delta's own; a snapshot's: the last delta it includes
        std::string_view lines;
    };

    // Applies a delta; false when it does not follow what was known of the node (ask it for a snapshot).
    bool apply_delta(const Update& update);
    // Applies part `part` (1-based) of an `parts`-part snapshot; the node's interest is replaced when the
    // last part arrives. False when a part is missing (ask again).
    bool apply_snapshot(const Update& update, int part, int parts);
    // The node left the cluster (a clean stop): its interest goes.
    void forget(std::string_view node);
    // `live` are the nodes that hold a claim now: the interest of every other node goes (a node killed
    // without a clean stop, once its claim lapsed). Returns the live nodes whose interest is not known (to be
    // asked for it).
    std::vector<std::string> keep_only(const std::vector<std::string>& live);

    // Waits until every node of `nodes` has sent a snapshot or a first delta, at most `timeout`; the nodes
    // not heard from.
    std::vector<std::string> wait_for(const std::vector<std::string>& nodes,
                                      std::chrono::milliseconds timeout);

    // Changes with every change of interest: a loop compares it with the version of its trie.
    std::uint64_t version() const { return version_.load(std::memory_order_acquire); }
    // The current union, and its version (rebuilt if interest changed since the last call).
    std::shared_ptr<const InterestTrie> trie(std::uint64_t& version);

    // How many distinct subjects other nodes hold, and how many nodes are known.
    std::size_t subject_count() const;
    std::size_t node_count() const;

  private:
    struct NodeInterest {
        std::string incarnation;
        std::uint64_t sequence = 0;
        std::map<std::string, int, std::less<>> subjects;  // subject -> how many of the node's subscriptions
        // A snapshot being received in parts.
        std::map<std::string, int, std::less<>> pending;
        int pending_parts = 0;  // parts received so far
    };

    NodeInterest& node_for(const Update& update);
    void changed();

    mutable std::mutex mutex_;
    std::condition_variable heard_;
    std::map<std::string, NodeInterest, std::less<>> nodes_;
    std::atomic<std::uint64_t> version_{1};
    std::uint64_t built_version_ = 0;
    std::shared_ptr<const InterestTrie> trie_;
};

}  // namespace culex::cluster
