// Every subscription of every session, as a tree of topic levels. Read on every PUBLISH by every loop,
// written on SUBSCRIBE/UNSUBSCRIBE: a reader-writer lock keeps reads concurrent.
#pragma once

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "broker/session_anchor.hpp"
#include "protocol/packets.hpp"

namespace culex::broker {

struct SubscriptionOptions {
    protocol::QoS max_qos = protocol::QoS::at_most_once;
    bool no_local = false;
    bool retain_as_published = false;
    std::uint32_t subscription_id = 0;  // 0: none
};

struct SubscriptionMatch {
    AnchorPtr anchor;
    SubscriptionOptions options;
};

class SubscriptionTree {
  public:
    SubscriptionTree();
    ~SubscriptionTree();

    // Adds the subscription, or replaces the options of the session's existing one on that filter.
    // Returns true when the subscription is new. `filter` must be valid.
    bool subscribe(std::string_view filter, const AnchorPtr& anchor, SubscriptionOptions options);
    // Returns true when the session had that subscription.
    bool unsubscribe(std::string_view filter, const SessionAnchor* anchor);

    // Appends every subscription matching `topic`, one entry per session: a session with several matching
    // subscriptions gets one entry with the highest QoS (and every subscription identifier's first one).
    void match(std::string_view topic, std::vector<SubscriptionMatch>& out) const;

    std::size_t size() const;

  private:
    struct Node;
    mutable std::shared_mutex mutex_;
    std::unique_ptr<Node> root_;
    std::size_t count_ = 0;
};

}  // namespace culex::broker
