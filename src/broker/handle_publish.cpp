// PUBLISH and PUBREL from a client, wills, and routing: a message is matched once against the subscription
// tree and handed to each target session, directly on this loop or in one batch per other loop per turn.
#include <algorithm>

#include "broker/broker.hpp"
#include "broker/packet_log.hpp"
#include "broker/worker.hpp"
#include "log/logger.hpp"
#include "protocol/topic.hpp"

namespace culex::broker {

using culex::log::logger;
using culex::log::LogType;
using namespace culex::protocol;

bool Worker::resolve_topic_alias(Client& client, Publish& publish) {
    std::uint16_t alias = *publish.properties->topic_alias;
    publish.properties.edit().topic_alias.reset();  // it means something on this connection only
    if (alias == 0 || alias > kTopicAliasMaximum) {
        protocol_violation(client, fmt::format("topic alias {} is outside 1..{}", alias, kTopicAliasMaximum),
                           ReasonCode::topic_alias_invalid);
        return false;
    }
    auto& aliases = client.extras().topic_aliases;
    if (aliases.size() < kTopicAliasMaximum) aliases.resize(kTopicAliasMaximum);
    std::string& known = aliases[alias - 1u];
    if (!publish.topic.empty()) {
        known = publish.topic;
        return true;
    }
    if (known.empty()) {
        protocol_violation(client, fmt::format("topic alias {} was never set", alias));
        return false;
    }
    publish.topic = known;
    return true;
}

void Worker::handle_publish(Client& client, Publish&& publish) {
    const BrokerSettings& settings = broker_.settings();
    Session& session = *client.session;
    if (publish.properties->topic_alias && !resolve_topic_alias(client, publish)) return;
    // Our Receive Maximum (CONNACK): QoS 2 messages not yet released by PUBREL are the ones in flight
    // (QoS 1 is acknowledged at once). A resend of a held id is not a new one.
    if (client.version == ProtocolVersion::v5 && publish.qos == QoS::exactly_once &&
        session.incoming_count() >= receive_maximum() && !session.holds_incoming(publish.packet_id))
        return protocol_violation(
            client,
            fmt::format("more than Receive Maximum ({}) QoS 2 PUBLISHes unreleased", receive_maximum()),
            ReasonCode::receive_maximum_exceeded);
    if (publish.properties->payload_format_indicator == 1 && !is_valid_utf8(publish.payload.view())) {
        // Spec 3.3.2.3.2: the sender promised UTF-8.
        log_received(client.log_id(), publish);
        if (publish.qos == QoS::at_most_once)
            return protocol_violation(client, "payload is not the UTF-8 its format indicator says",
                                      ReasonCode::payload_format_invalid);
        logger().log(LogType::notice, "Client {}: PUBLISH to '{}' dropped: payload is not valid UTF-8.",
                     client.log_id(), publish.topic);
        if (publish.qos == QoS::at_least_once)
            send(client, Puback{publish.packet_id, ReasonCode::payload_format_invalid, {}});
        else
            send(client, Pubrec{publish.packet_id, ReasonCode::payload_format_invalid, {}});
        return;
    }
    if (!allowed(client, auth::Access::write, publish.topic)) {
        // Acknowledged but dropped, as Mosquitto does: MQTT 5 clients learn why from the reason code
        // (3.1.1 acknowledgements carry none).
        log_denied(client.log_id(), publish);
        if (publish.qos == QoS::at_least_once)
            send(client, Puback{publish.packet_id, ReasonCode::not_authorized, {}});
        if (publish.qos == QoS::exactly_once)
            send(client, Pubrec{publish.packet_id, ReasonCode::not_authorized, {}});
        return;
    }
    log_received(client.log_id(), publish);
    if (settings.message_size_limit != 0 && publish.payload.size() > settings.message_size_limit) {
        // As Mosquitto: dropped, and the connection kept; MQTT 5 clients learn why from the reason code.
        logger().log(LogType::notice,
                     "Client {}: PUBLISH to '{}' dropped: payload of {} bytes exceeds message_size_limit {}.",
                     client.log_id(), publish.topic, publish.payload.size(), settings.message_size_limit);
        ReasonCode why =
            client.version == ProtocolVersion::v5 ? ReasonCode::packet_too_large : ReasonCode::success;
        if (publish.qos == QoS::at_least_once) send(client, Puback{publish.packet_id, why, {}});
        if (publish.qos == QoS::exactly_once) send(client, Pubrec{publish.packet_id, why, {}});
        return;
    }
    if (publish.retain && !settings.retain_available)
        return protocol_violation(client, "retained PUBLISH but retain_available is false",
                                  ReasonCode::retain_not_supported);

    QoS qos = publish.qos;
    std::uint16_t packet_id = publish.packet_id;
    auto message = std::make_shared<const Message>(std::move(publish));
    switch (qos) {
        case QoS::at_most_once:
            route(message, session.anchor().get());
            break;
        case QoS::at_least_once: {
            bool matched = route(message, session.anchor().get());
            // As Mosquitto: an MQTT 5 publisher learns that nobody subscribed.
            bool tell = !matched && client.version == ProtocolVersion::v5;
            send(client,
                 Puback{packet_id, tell ? ReasonCode::no_matching_subscribers : ReasonCode::success, {}});
            break;
        }
        case QoS::exactly_once:
            // Held until PUBREL, then routed: a resend with DUP is acknowledged but not delivered twice.
            session.hold_incoming(packet_id, std::move(message));
            send(client, Pubrec{packet_id});
            break;
    }
}

void Worker::handle_pubrel(Client& client, const Pubrel& pubrel) {
    Session& session = *client.session;
    if (MessagePtr message = session.release_incoming(pubrel.packet_id))
        route(message, session.anchor().get());
    send(client, Pubcomp{pubrel.packet_id});
}

void Worker::publish_will(Session& session) {
    const Will& will = *session.will;
    auto message = std::make_shared<const Message>(Publish{will.topic, will.payload, will.qos,
                                                           will.retain && broker_.settings().retain_available,
                                                           false, 0, will.properties});
    route(message, session.anchor().get());
}

bool Worker::route(const MessagePtr& message, const SessionAnchor* origin) {
    if (message->retain) broker_.retained().store(message);
    matches_.clear();
    broker_.subscriptions().match(message->topic, matches_);
    bool matched = !matches_.empty();
    for (auto& match : matches_) {
        if (match.options.no_local && match.anchor.get() == origin) continue;
        QoS qos = std::min(message->qos, match.options.max_qos);
        // A live delivery clears the retain flag unless the subscriber asked for it as published (MQTT 5).
        bool retain = match.options.retain_as_published && message->retain;
        deliver({std::move(match.anchor), message, qos, retain, match.ids, std::move(match.share)});
    }
    return matched;
}

void Worker::reroute_shared(std::vector<std::pair<MessagePtr, ShareKey>> messages,
                            const SessionAnchor* departed) {
    for (auto& [message, share] : messages) {
        auto member = broker_.subscriptions().pick_shared(*share, departed);
        if (!member) continue;  // the group is gone with it: nobody left to give it to
        QoS qos = std::min(message->qos, member->options.max_qos);
        bool retain = member->options.retain_as_published && message->retain;
        deliver({std::move(member->anchor), std::move(message), qos, retain, member->ids,
                 std::move(member->share)});
    }
}

void Worker::deliver(Delivery&& delivery) {
    int owner = delivery.anchor->loop.load(std::memory_order_acquire);
    if (owner == loop_) {
        Session* session = delivery.anchor->session;
        // The read check happens here, on the session's own loop, where its identity may be read.
        if (session && allowed(*session, auth::Access::read, delivery.message->topic))
            session->deliver(delivery.message, delivery.qos, delivery.retain, delivery.ids,
                             std::move(delivery.share));
        return;
    }
    outbound_[static_cast<std::size_t>(owner)].push_back(std::move(delivery));
    if (!flush_scheduled_) {
        // One hand-over per target loop per turn, after this turn's other work.
        flush_scheduled_ = true;
        broker_.post(loop_, [this] { flush_deliveries(); });
    }
}

void Worker::flush_deliveries() {
    flush_scheduled_ = false;
    for (std::size_t loop = 0; loop < outbound_.size(); ++loop) {
        if (outbound_[loop].empty()) continue;
        auto target = static_cast<int>(loop);
        broker_.post(target, [&broker = broker_, target, batch = std::move(outbound_[loop])]() mutable {
            Worker& worker = broker.worker(target);
            for (auto& delivery : batch)
                worker.deliver(std::move(delivery));
        });
        outbound_[loop] = {};
    }
}

}  // namespace culex::broker
