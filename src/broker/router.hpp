// Routing on one loop: a message is stored if retained, matched once against the subscription tree, and
// handed to each target session: directly when the session lives on this loop, else queued for its loop and
// handed over when the loop's step ends, in one batch per target loop. The read check (ACL) is made on the
// session's own loop, where its identity may be read.
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

#include "broker/loop_policies.hpp"
#include "broker/message.hpp"
#include "broker/session_anchor.hpp"
#include "broker/store_step.hpp"
#include "broker/subscription_ids.hpp"
#include "broker/subscription_tree.hpp"
#include "protocol/types.hpp"

namespace culex::broker {

class Broker;
class ClusterLink;

class Router {
  public:
    Router(Broker& broker, int loop, const LoopPolicies& policies, StoreStep& store);

    // A PUBLISH (or a will) from `origin` (null: none, e.g. the broker itself): to every matching session.
    // Whether any subscription matched (MQTT 5's "no matching subscribers" when none did).
    bool route(const MessagePtr& message, const SessionAnchor* origin);
    // A message another node of the cluster published: to this node's matching sessions only (its retained
    // copy is the cluster's, kept in sync apart, and it never goes back to the cluster). NATS picks which
    // node's members of a shared group get a message, so a copy is either for the plain subscriptions
    // (`group` empty) or for the members of one shared group (`group`, NATS's pick of this node).
    void route_from_cluster(const MessagePtr& message, std::string_view group);
    // Cluster mode: what route() routes goes to `cluster` too (null: none). Before the loops run.
    void use_cluster(ClusterLink* cluster) { cluster_ = cluster; }
    // Messages that a departing member of a shared subscription left unacknowledged: to another member.
    void reroute_shared(std::vector<std::pair<MessagePtr, ShareKey>> messages, const SessionAnchor* departed);
    // The loop's step is over: what it queued for other loops goes, one task per target loop, with the step's
    // fence (null: none), which each target holds until it has committed what it stored of them.
    void hand_over(const FencePtr& fence = nullptr);
    // Bytes of deliveries other loops handed to this one that it has not delivered yet (read by them).
    std::uint64_t arriving_bytes() const { return arriving_bytes_.load(std::memory_order_relaxed); }

  private:
    struct Delivery {
        AnchorPtr anchor;
        MessagePtr message;
        protocol::QoS qos;
        bool retain;
        SubscriptionIds ids;
        ShareKey share;  // came through this shared subscription
        // Put in the session's stored queue under this sequence by the loop that routed it (0: not stored).
        std::uint64_t stored_as = 0;
    };

    void deliver(Delivery&& delivery);
    // To every session whose subscription matches; whether any did.
    // From another node: only plain subscriptions (`group` null) or one shared group's pick.
    bool deliver_to_subscribers(const MessagePtr& message, const SessionAnchor* origin,
                                const std::string_view* group = nullptr);
    // A loop that is behind: QoS 0 for it is dropped here rather than queued without bound on its way there.
    bool behind(int owner, const Delivery& delivery);

    Broker& broker_;
    const int loop_;
    const LoopPolicies& policies_;
    StoreStep& store_;
    ClusterLink* cluster_ = nullptr;
    std::string served_groups_;  // cluster mode: the shared groups the message being routed went to here
    std::vector<std::vector<Delivery>> outbound_;   // per target loop, handed over at the end of the step
    std::vector<std::uint64_t> outbound_bytes_;     // what each of those holds, for behind()
    std::vector<bool> dropping_for_;                // the drop for that loop was logged (once per run)
    std::atomic<std::uint64_t> arriving_bytes_{0};  // written once per batch: by the sender and by this loop
    bool outbound_waiting_ = false;
    std::vector<SubscriptionMatch> matches_;  // reused by route()
};

}  // namespace culex::broker
