// SUBSCRIBE and UNSUBSCRIBE: the subscription tree, the session's own list, and retained messages on
// subscribe.
#include <algorithm>

#include "broker/broker.hpp"
#include "broker/loop_broker.hpp"
#include "broker/mount_point.hpp"
#include "broker/stored_records.hpp"
#include "log/logger.hpp"
#include "protocol/topic.hpp"

namespace culex::broker {

using culex::log::logger;
using culex::log::LogType;
using namespace culex::protocol;

void LoopBroker::handle_subscribe(const ClientPtr& subscriber, Subscribe&& subscribe) {
    Client& client = *subscriber;
    Session& session = *client.session;
    bool v5 = client.version == ProtocolVersion::v5;
    Suback suback{subscribe.packet_id, {}, {}};
    std::vector<std::pair<MessagePtr, QoS>> retained;
    std::uint32_t subscription_id = subscribe.properties.subscription_identifiers.empty()
                                        ? 0
                                        : subscribe.properties.subscription_identifiers[0];

    const ListenerRules& rules = broker_.settings().listener(client.listener);
    auto max_qos = static_cast<QoS>(rules.max_qos);
    for (auto& sub : subscribe.subscriptions) {
        logger().log(LogType::debug, "\t{} (QoS {})", sub.filter, static_cast<int>(sub.max_qos));
        // A valid filter stays valid under a prefix that has no wildcards (the config refuses those).
        if (!rules.mount_point.empty() && is_valid_topic_filter(sub.filter))
            sub.filter = mounted_filter(rules.mount_point, sub.filter);
        sub.max_qos = std::min(sub.max_qos, max_qos);  // the listener's max_qos: granted, as Mosquitto
        if (client.bridge) {
            // A bridge must not hear back what it forwarded (a loop between the brokers), and must pass
            // retained messages on as retained.
            sub.no_local = true;
            sub.retain_as_published = true;
        }
        if (topic_levels(sub.filter) > kMaxTopicLevels)
            return protocol_violation(client, fmt::format("topic filter of {} levels, over the limit of {}",
                                                          topic_levels(sub.filter), kMaxTopicLevels));
        if (!is_valid_topic_filter(sub.filter)) {
            // A malformed filter (spec 4.7.1, and MQTT 5's 0x8F is for well-formed ones the server refuses)
            // closes the connection, as Mosquitto; a shared subscription's bad group is refused in SUBACK.
            if (!sub.filter.starts_with("$share/"))
                return protocol_violation(client, fmt::format("invalid topic filter '{}'", sub.filter),
                                          ReasonCode::malformed_packet);
            suback.reasons.push_back(v5 ? ReasonCode::topic_filter_invalid : ReasonCode::unspecified_error);
            continue;
        }
        // `$share/GROUP/FILTER`: the ACL judges FILTER, the topics it would deliver.
        auto shared = parse_shared_filter(sub.filter);
        std::string_view topics = shared ? shared->filter : std::string_view(sub.filter);
        if (!policies_.allowed(client, auth::Access::subscribe, topics)) {
            logger().log(LogType::notice, "Denied SUBSCRIBE from {} to '{}': not allowed by the ACL.",
                         client.log_id(), sub.filter);
            suback.reasons.push_back(v5 ? ReasonCode::not_authorized : ReasonCode::unspecified_error);
            continue;
        }
        // Each subscription costs tree nodes and a place in the session's list: one client may not hold an
        // unbounded number of them. Replacing one it holds is always allowed.
        std::size_t limit = broker_.settings().max_subscriptions_per_client;
        if (limit != 0 && session.filters().size() >= limit && !session.filters().contains(sub.filter)) {
            logger().log(LogType::notice,
                         "Denied SUBSCRIBE from {} to '{}': it holds {} subscriptions, the limit set by "
                         "max_subscriptions_per_client.",
                         client.log_id(), sub.filter, limit);
            suback.reasons.push_back(v5 ? ReasonCode::quota_exceeded : ReasonCode::unspecified_error);
            continue;
        }
        logger().log(LogType::subscribe, "{} {} {}", client.log_id(), static_cast<int>(sub.max_qos),
                     sub.filter);
        SubscriptionOptions options{sub.max_qos, sub.no_local, sub.retain_as_published, subscription_id};
        bool is_new = broker_.subscriptions().subscribe(sub.filter, session.anchor(), options);
        session.filters()[sub.filter] = options;
        if (session.stores())
            store_step_.batch().add_subscription(
                stored::subscription(session.client_id(), sub.filter, options, sub.retain_handling));
        suback.reasons.push_back(static_cast<ReasonCode>(sub.max_qos));

        // Never on a shared subscription (spec 4.8.2): the group's members would each get a copy.
        bool send_retained = !shared && (sub.retain_handling == RetainHandling::send_on_subscribe ||
                                         (sub.retain_handling == RetainHandling::send_if_new && is_new));
        if (send_retained) {
            std::vector<MessagePtr> found;
            broker_.retained().find(sub.filter, found);
            for (auto& message : found)
                retained.emplace_back(std::move(message), sub.max_qos);
        }
    }
    tell_cluster_online(session);
    // SUBACK once the subscriptions are stored; the retained messages right after it.
    when_stored(subscriber, [this, suback = std::move(suback), retained = std::move(retained),
                             subscription_id](Client& c) mutable {
        c.send(suback);
        Session& s = *c.session;
        for (auto& [message, max_qos] : retained)
            if (policies_.allowed(s, auth::Access::read, message->topic) && source_still_allowed(*message))
                s.deliver(message, broker_.settings().delivery_qos(message->qos, max_qos), true,
                          subscription_id);
    });
}

bool LoopBroker::source_still_allowed(const Message& retained) const {
    if (!retained.source || policies_.allowed(*retained.source, auth::Access::write, retained.topic))
        return true;
    logger().log(LogType::debug,
                 "Retained message on '{}' withheld: its publisher {} may no longer publish there "
                 "(check_retain_source).",
                 retained.topic, retained.source->client_id);
    return false;
}

void LoopBroker::handle_unsubscribe(const ClientPtr& unsubscriber, Unsubscribe&& unsubscribe) {
    Client& client = *unsubscriber;
    Session& session = *client.session;
    Unsuback unsuback{unsubscribe.packet_id, {}, {}};
    const std::string& mount = broker_.settings().listener(client.listener).mount_point;
    for (auto& filter : unsubscribe.filters) {
        if (!mount.empty()) filter = mounted_filter(mount, filter);
        logger().log(LogType::debug, "\t{}", filter);
        logger().log(LogType::unsubscribe, "{} {}", client.log_id(), filter);
        bool existed = broker_.subscriptions().unsubscribe(filter, session.anchor().get());
        if (session.subscriptions) session.subscriptions->erase(filter);
        if (existed && session.stores()) {
            auto record = stored::subscription(session.client_id(), filter, {}, {});
            store_step_.batch().remove_subscription(record.client_id, record.share_name, record.filter);
        }
        if (client.version == ProtocolVersion::v5)
            unsuback.reasons.push_back(existed ? ReasonCode::success : ReasonCode::no_subscription_existed);
    }
    tell_cluster_online(session);
    acknowledge(unsubscriber, std::move(unsuback));
}

}  // namespace culex::broker
