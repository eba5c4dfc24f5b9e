// What the broker core tells a cluster, and nothing more: the narrow interface src/cluster implements.
// Null (Broker::cluster() == nullptr) when the broker runs alone: the router then pays one pointer test per
// PUBLISH, and the subscription tree one per (un)subscribe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/message.hpp"
#include "broker/subscription_tree.hpp"
#include "broker/sys_tree.hpp"

namespace culex::broker {

// A persistent session as the cluster keeps it while its client is offline, so that any node can resume it.
struct ClusterSubscription {
    std::string filter;
    SubscriptionOptions options;
};
struct ClusterSession {
    std::string client_id;
    std::vector<ClusterSubscription> subscriptions;
    std::optional<std::uint32_t> expiry_seconds;  // nullopt: never expires
    // Nothing in flight to its client or queued for it (as it goes offline): what the cluster stored before
    // now was all acknowledged, so the session resumes elsewhere from the stream's end.
    bool settled = true;
};
// What a node that resumes a session from the cluster gives its loop: the subscriptions, and the QoS 1/2
// messages that matched them while the client was offline, in the order the cluster stored them.
struct ClusterBacklog {
    std::vector<ClusterSubscription> subscriptions;
    std::vector<MessagePtr> messages;
};

// The node's figures, for /metrics (ops/cluster_metrics.hpp) and $SYS/broker/cluster/...
struct ClusterFigures {
    bool connected = false;               // the NATS connection is up
    std::uint64_t sent = 0;               // messages handed to NATS for other nodes
    std::uint64_t received = 0;           // messages from other nodes routed here
    std::uint64_t interest_local = 0;     // NATS subscriptions held for this node's clients
    std::uint64_t interest_remote = 0;    // distinct subjects other nodes announced
    std::uint64_t interest_nodes = 0;     // other nodes whose interest is known
    std::uint64_t stored = 0;             // QoS 1/2 messages JetStream acknowledged
    std::uint64_t store_failures = 0;     // QoS 1/2 messages JetStream did not store (publisher not told)
    std::uint64_t sessions_recorded = 0;  // persistent sessions recorded when their client went offline
    std::uint64_t sessions_resumed = 0;   // sessions resumed here from another node's record
};

class ClusterLink {
  public:
    virtual ~ClusterLink() = default;

    // A message published on this node (by a client, a will; never one that came from another node): to the
    // other nodes. Called on the publisher's loop `loop`, after local routing, which gave it to a member of
    // each shared subscription group in `served_groups` (group names, each followed by '\n'; empty: none):
    // no other node's member of those groups gets it. A QoS 1/2 message also goes to the cluster's store
    // (JetStream), which persistent sessions on any node are served from; the publisher's acknowledgement
    // must wait for it, so the cluster holds the loop's commit fence (StoreStep::hold_open) until JetStream
    // acknowledged the copy: the persistence path's own mechanism, not a second one.
    virtual void publish(const Message& message, int loop, std::string_view served_groups) = 0;
    // A QoS 2 PUBLISH this node now holds until its PUBREL (a new packet id, not a resend): its copy goes to
    // the cluster's store at once, and the PUBREC waits for JetStream as PUBACK does (the loop's fence), so
    // that a node killed between PUBREC and PUBREL loses nothing the PUBREC promised ("PUBREC: the broker
    // owns it"). Added because only the broker knows when a QoS 2 message is taken over. On loop `loop`.
    virtual void store_held(const Message& message, int loop) = 0;
    // The next publish() from loop `loop` routes a held QoS 2 message that PUBREL released, whose store_held
    // already stored it: it is routed to the other nodes, not stored twice. On loop `loop`.
    virtual void releasing_held(int loop) = 0;

    // The subscription tree gained a subscription on `filter` (a session's new one; `$share/G/F` for a shared
    // subscription) or lost one. Any loop, outside the tree's lock; each addition is followed by at most one
    // removal of the same filter.
    virtual void interest_added(std::string_view filter) = 0;
    virtual void interest_removed(std::string_view filter) = 0;

    // A client connected on loop `loop` (its CONNACK is on its way) / its connection ended: a client id is
    // connected once in the cluster, so another node's connection with this id is taken over. The pair
    // (client id, connected_at_ms) names the connection. On the client's loop.
    // `clean_start` and `session_present` (this node had the session) say whether the cluster's record of
    // a persistent session of this id is resumed here (LoopBroker::resume_from_cluster) or ended.
    virtual void client_connected(const std::string& client_id, std::int64_t connected_at_ms, int loop,
                                  bool clean_start, bool session_present) = 0;
    // `will_waits`: the connection ended with its will waiting out its delay here (Will Delay Interval):
    // the cluster keeps the will until will_settled, so that another node publishes it if this one dies
    // first.
    virtual void client_disconnected(const std::string& client_id, std::int64_t connected_at_ms,
                                     bool will_waits) = 0;
    // A client connected here with `will` (after client_connected): the cluster keeps it, so that another
    // node publishes it if this one dies with the connection; forgotten at client_disconnected (this node
    // then publishes or drops it itself) unless it waits. Added because a SIGKILLed node cannot publish its
    // clients' wills.
    virtual void client_will(const std::string& client_id, const protocol::Will& will) = 0;
    // A will that waited here was published, or cancelled (a reconnection, the session's end elsewhere):
    // the cluster forgets it. On the session's loop.
    virtual void will_settled(const std::string& client_id) = 0;

    // A persistent session's client went offline here (on its loop): the cluster records the session, so
    // that another node can resume it. Added to the interface because a session that moves between nodes
    // is the cluster's concern and the broker alone knows when its connection ends.
    virtual void session_offline(const ClusterSession& session) = 0;
    // A persistent session is connected here (at CONNECT, after each SUBSCRIBE or UNSUBSCRIBE, after a
    // resumption from the cluster): the cluster records it as held by this node, so that if the node dies
    // its client resumes it on another one. Added because a SIGKILLed node never tells its sessions' end.
    // On the session's loop.
    virtual void session_online(const ClusterSession& session) = 0;
    // A persistent session ended here while offline (expiry): the cluster forgets it.
    virtual void session_expired(const std::string& client_id) = 0;

    // The node's figures now. Any thread (/metrics reads them on the HTTP thread).
    virtual ClusterFigures figures() = 0;

    // $SYS/broker/cluster/...: appends the figures that changed since the last call. On the first loop,
    // every sys_interval.
    virtual void sys_figures(std::vector<SysValue>& changed) = 0;
};

}  // namespace culex::broker
