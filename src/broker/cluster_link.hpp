// What the broker core tells a cluster, and nothing more: the narrow interface src/cluster implements.
// Null (Broker::cluster() == nullptr) when the broker runs alone: the router then pays one pointer test per
// PUBLISH, and the subscription tree one per (un)subscribe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "broker/message.hpp"
#include "broker/sys_tree.hpp"

namespace culex::broker {

class ClusterLink {
  public:
    virtual ~ClusterLink() = default;

    // A message published on this node (by a client, a will; never one that came from another node): to the
    // other nodes. Called on the publisher's loop `loop`, after local routing, which gave it to a member of
    // each shared subscription group in `served_groups` (group names, each followed by '\n'; empty: none):
    // no other node's member of those groups gets it.
    virtual void publish(const Message& message, int loop, std::string_view served_groups) = 0;

    // The subscription tree gained a subscription on `filter` (a session's new one; `$share/G/F` for a shared
    // subscription) or lost one. Any loop, outside the tree's lock; each addition is followed by at most one
    // removal of the same filter.
    virtual void interest_added(std::string_view filter) = 0;
    virtual void interest_removed(std::string_view filter) = 0;

    // A client connected on loop `loop` (its CONNACK is on its way) / its connection ended: a client id is
    // connected once in the cluster, so another node's connection with this id is taken over. The pair
    // (client id, connected_at_ms) names the connection. On the client's loop.
    virtual void client_connected(const std::string& client_id, std::int64_t connected_at_ms) = 0;
    virtual void client_disconnected(const std::string& client_id, std::int64_t connected_at_ms) = 0;

    // $SYS/broker/cluster/...: appends the figures that changed since the last call. On the first loop,
    // every sys_interval.
    virtual void sys_figures(std::vector<SysValue>& changed) = 0;
};

}  // namespace culex::broker
