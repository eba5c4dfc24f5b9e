#include "broker/router.hpp"

#include <algorithm>

#include "broker/broker.hpp"
#include "broker/cluster_link.hpp"
#include "broker/loop_broker.hpp"
#include "broker/stored_records.hpp"
#include "log/logger.hpp"

namespace culex::broker {

using namespace culex::protocol;

Router::Router(Broker& broker, int loop, const LoopPolicies& policies, StoreStep& store)
    : broker_(broker),
      loop_(loop),
      policies_(policies),
      store_(store),
      outbound_(static_cast<std::size_t>(broker.loop_count())),
      outbound_bytes_(outbound_.size(), 0),
      dropping_for_(outbound_.size(), false) {}

namespace {

// What a delivery in transit holds: its own record and, counted once per delivery, the message (a message
// shared by many deliveries is counted many times: the bound errs on the side of dropping sooner).
std::uint64_t transit_size(const Message& message) {
    return 64 + message.topic.size() + message.payload.size();
}

// GROUP of "$share/GROUP/FILTER".
std::string_view share_group(std::string_view share) {
    share.remove_prefix(std::min(share.size(), std::string_view("$share/").size()));
    return share.substr(0, share.find('/'));
}

}  // namespace

bool Router::route(const MessagePtr& message, const SessionAnchor* origin) {
    if (message->retain) {
        broker_.retained().store(message);
        // $SYS is the broker's own, made again at each start: not worth a write every sys_interval.
        if (store_.enabled() && !message->topic.starts_with("$SYS")) {
            if (message->payload.empty())
                store_.batch().delete_retained(message->topic.str());
            else
                store_.batch().put_retained(stored::retained(*message));
        }
    }
    bool matched = deliver_to_subscribers(message, origin);
    if (cluster_) cluster_->publish(*message, loop_, served_groups_);
    return matched;
}

void Router::route_from_cluster(const MessagePtr& message, std::string_view group) {
    deliver_to_subscribers(message, nullptr, &group);
}

bool Router::deliver_to_subscribers(const MessagePtr& message, const SessionAnchor* origin,
                                    const std::string_view* group) {
    matches_.clear();
    served_groups_.clear();
    broker_.subscriptions().match(message->topic, matches_);
    bool matched = !matches_.empty();
    for (auto& match : matches_) {
        if (match.options.no_local && match.anchor.get() == origin) continue;
        std::string_view match_group = match.share ? share_group(*match.share) : std::string_view();
        if (group && match_group != *group) continue;
        if (cluster_ && match.share) {
            served_groups_ += match_group;
            served_groups_ += '\n';
        }
        QoS qos = broker_.settings().delivery_qos(message->qos, match.options.max_qos);
        // A live delivery clears the retain flag unless the subscriber asked for it as published (MQTT 5).
        bool retain = match.options.retain_as_published && message->retain;
        deliver({std::move(match.anchor), message, qos, retain, match.ids, std::move(match.share)});
    }
    return matched;
}

void Router::reroute_shared(std::vector<std::pair<MessagePtr, ShareKey>> messages,
                            const SessionAnchor* departed) {
    for (auto& [message, share] : messages) {
        auto member = broker_.subscriptions().pick_shared(*share, departed);
        if (!member) continue;  // the group is gone with it: nobody left to give it to
        QoS qos = broker_.settings().delivery_qos(message->qos, member->options.max_qos);
        bool retain = member->options.retain_as_published && message->retain;
        deliver({std::move(member->anchor), std::move(message), qos, retain, member->ids,
                 std::move(member->share)});
    }
}

void Router::deliver(Delivery&& delivery) {
    int owner = delivery.anchor->loop.load(std::memory_order_acquire);
    if (owner == loop_) {
        Session* session = delivery.anchor->session;
        if (session && policies_.allowed(*session, auth::Access::read, delivery.message->topic)) {
            session->deliver(delivery.message, delivery.qos, delivery.retain, delivery.ids,
                             std::move(delivery.share), delivery.stored_as);
        } else if (delivery.stored_as != 0) {
            store_.batch().dequeue(delivery.anchor->client_id, delivery.stored_as, delivery.stored_as);
        }
        return;
    }
    // The session lives on another loop (or moved there since the match: deliver() there follows it again).
    if (behind(owner, delivery)) return;
    if (delivery.stored_as == 0 && delivery.qos != QoS::at_most_once && store_.enabled() &&
        delivery.anchor->stores.load(std::memory_order_relaxed)) {
        // Stored here, in this step's batch, with whatever else the PUBLISH changed (the publisher's QoS 2
        // state, the retained message): one transaction, so a crash leaves the message either routed to every
        // stored session or to none, and the PUBACK waits for nothing else. The session's loop only moves it
        // from queued to in flight. That batch is submitted before the deliveries are handed over
        // (LoopBroker::end_step), so the session's own later records are never committed before this one.
        delivery.stored_as = store_.next_sequence();
        store_.batch().enqueue(stored::queued(delivery.anchor->client_id, delivery.stored_as,
                                              *delivery.message, delivery.qos, delivery.retain,
                                              delivery.share));
    }
    outbound_bytes_[static_cast<std::size_t>(owner)] += transit_size(*delivery.message);
    outbound_[static_cast<std::size_t>(owner)].push_back(std::move(delivery));
    outbound_waiting_ = true;
}

void Router::hand_over(const FencePtr& fence) {
    if (!outbound_waiting_) return;
    outbound_waiting_ = false;
    for (std::size_t loop = 0; loop < outbound_.size(); ++loop) {
        if (outbound_[loop].empty()) continue;
        auto target = static_cast<int>(loop);
        std::uint64_t bytes = std::exchange(outbound_bytes_[loop], 0);
        broker_.loop(target).router().arriving_bytes_.fetch_add(bytes, std::memory_order_relaxed);
        // The target loop runs the batch as one step: its connections then write once for all of it.
        broker_.post(target,
                     [&broker = broker_, target, bytes, fence, batch = std::move(outbound_[loop])]() mutable {
                         LoopBroker& loop = broker.loop(target);
                         Router& router = loop.router();
                         loop.store_step().hold(std::move(fence));
                         for (auto& delivery : batch)
                             router.deliver(std::move(delivery));
                         router.arriving_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
                     });
        outbound_[loop] = {};
    }
}

bool Router::behind(int owner, const Delivery& delivery) {
    auto target = static_cast<std::size_t>(owner);
    std::uint64_t limit = broker_.settings().max_arriving_bytes;
    if (delivery.qos != QoS::at_most_once || limit == 0) return false;
    std::uint64_t pending = outbound_bytes_[target] + broker_.loop(owner).router().arriving_bytes();
    if (pending < limit) {
        dropping_for_[target] = false;
        return false;
    }
    // QoS 1/2 are kept: what each session holds of them is bounded where they arrive (window and queue).
    broker_.loop(loop_).counters().dropped(DropCause::loop_behind);
    if (!dropping_for_[target]) {
        dropping_for_[target] = true;
        culex::log::logger().log(
            culex::log::LogType::warning,
            "Event loop {} is {} bytes behind: QoS 0 messages for its clients are being dropped.", owner,
            pending);
    }
    return true;
}

}  // namespace culex::broker
