// Every subscription of every session, as a tree of topic levels. Read on every PUBLISH by every loop,
// written on SUBSCRIBE/UNSUBSCRIBE: a reader-writer lock keeps reads concurrent (ReadMostlyMutex: no cache
// line shared between readers).
//
// Shared subscriptions (MQTT 5 `$share/GROUP/FILTER`, also accepted from 3.1.1 clients as Mosquitto does)
// live on the node of FILTER, one group per name; each matching message goes to one member of each group,
// round robin, preferring members that are online.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "broker/read_mostly_mutex.hpp"
#include "broker/session_anchor.hpp"
#include "broker/subscription_ids.hpp"
#include "protocol/packets.hpp"

namespace culex::broker {

struct SubscriptionOptions {
    protocol::QoS max_qos = protocol::QoS::at_most_once;
    bool no_local = false;
    bool retain_as_published = false;
    std::uint32_t subscription_id = 0;  // 0: none
};

// A shared subscription's full filter ("$share/GROUP/FILTER"), naming its group wherever a message that
// came through it goes, so that it can be handed to another member if its session ends unacknowledged.
using ShareKey = std::shared_ptr<const std::string>;

struct SubscriptionMatch {
    AnchorPtr anchor;
    SubscriptionOptions options;
    SubscriptionIds ids;  // every matching subscription's identifier (options.subscription_id: the first)
    ShareKey share;       // set when the match is a shared subscription's pick
};

class ClusterLink;

class SubscriptionTree {
  public:
    SubscriptionTree();
    ~SubscriptionTree();

    // Cluster mode: every subscription added or removed from now on is told to `cluster` (null: none).
    // Before the loops run.
    void watch(ClusterLink* cluster) { cluster_ = cluster; }

    // Adds the subscription, or replaces the options of the session's existing one on that filter.
    // Returns true when the subscription is new. `filter` must be valid; a `$share/...` filter joins the
    // session to that group.
    bool subscribe(std::string_view filter, const AnchorPtr& anchor, SubscriptionOptions options);
    // Returns true when the session had that subscription.
    bool unsubscribe(std::string_view filter, const SessionAnchor* anchor);

    // Appends every subscription matching `topic`: one entry per session for ordinary subscriptions (the
    // highest QoS, every subscription identifier), plus one entry per matching shared group.
    void match(std::string_view topic, std::vector<SubscriptionMatch>& out) const;

    // The next member of the shared subscription `share` other than `except`, for a message whose
    // receiver went away before acknowledging it; nullopt when the group has no other member.
    std::optional<SubscriptionMatch> pick_shared(const std::string& share, const SessionAnchor* except) const;

    std::size_t size() const;

  private:
    struct Node;
    struct SharedGroup;

    mutable ReadMostlyMutex mutex_;
    std::unique_ptr<Node> root_;
    std::size_t count_ = 0;
    ClusterLink* cluster_ = nullptr;
};

}  // namespace culex::broker
