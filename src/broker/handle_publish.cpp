// PUBLISH and PUBREL from a client, and wills: what the client may publish, its QoS 1/2 acknowledgements,
// and the hand-over to the Router.
#include "broker/broker.hpp"
#include "broker/cluster_link.hpp"
#include "broker/loop_broker.hpp"
#include "broker/mount_point.hpp"
#include "broker/packet_log.hpp"
#include "log/logger.hpp"
#include "protocol/topic.hpp"

namespace culex::broker {

using culex::log::logger;
using culex::log::LogType;
using namespace culex::protocol;

bool LoopBroker::resolve_topic_alias(Client& client, Publish& publish) {
    std::uint16_t alias = *publish.properties->topic_alias;
    publish.properties.edit().topic_alias.reset();  // it means something on this connection only
    std::uint16_t maximum = broker_.settings().listener(client.listener).max_topic_alias;  // told in CONNACK
    if (alias == 0 || alias > maximum) {
        protocol_violation(client,
                           maximum == 0 ? fmt::format("topic alias {}, but this listener allows none", alias)
                                        : fmt::format("topic alias {} is outside 1..{}", alias, maximum),
                           ReasonCode::topic_alias_invalid);
        return false;
    }
    auto& aliases = client.extras().topic_aliases;
    if (aliases.size() < alias) aliases.resize(maximum);
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

void LoopBroker::handle_publish(const ClientPtr& sender, Publish&& publish) {
    Client& client = *sender;
    const BrokerSettings& settings = broker_.settings();
    Session& session = *client.session;
    ListenerCounters& in = counters().listener(client.listener);
    in.publish_received[static_cast<std::size_t>(publish.qos) % 3].add();
    in.publish_bytes_received.add(publish.payload.size());
    if (auto max_qos = settings.listener(client.listener).max_qos; static_cast<int>(publish.qos) > max_qos)
        // As Mosquitto: the client was told (MQTT 5's Maximum QoS in CONNACK), or should have been
        // configured.
        return protocol_violation(client,
                                  fmt::format("PUBLISH at QoS {} on a listener with max_qos {}",
                                              static_cast<int>(publish.qos), max_qos),
                                  ReasonCode::qos_not_supported);
    if (publish.properties->topic_alias && !resolve_topic_alias(client, publish)) return;
    // After the alias (which names the client's own topic), before anything judges the topic.
    if (const std::string& mount = settings.listener(client.listener).mount_point; !mount.empty())
        publish.topic = mounted_topic(mount, publish.topic);
    if (broker_.memory().enabled() && !memory_allows(client, publish)) return;
    // A topic shorter than the limit cannot have more levels than it: most are not counted.
    if (publish.topic.size() >= kMaxTopicLevels && topic_levels(publish.topic) > kMaxTopicLevels)
        return protocol_violation(client, fmt::format("PUBLISH topic of {} levels, over the limit of {}",
                                                      topic_levels(publish.topic), kMaxTopicLevels));
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
            acknowledge(sender, Puback{publish.packet_id, ReasonCode::payload_format_invalid, {}});
        else
            acknowledge(sender, Pubrec{publish.packet_id, ReasonCode::payload_format_invalid, {}});
        return;
    }
    // $SYS is the broker's alone, whatever the ACL says; its own clients may publish there, whatever the
    // ACL says too: a bridge's notifications and figures ($SYS/broker/connection/...).
    bool denied = is_sys_topic(publish.topic)
                      ? !Client::is_internal(client.listener)
                      : !policies_.allowed(client, auth::Access::write, publish.topic);
    if (denied) {
        // Acknowledged but dropped, as Mosquitto does: MQTT 5 clients learn why from the reason code
        // (3.1.1 acknowledgements carry none). $SYS is the broker's alone, whatever the ACL says.
        counters().dropped(DropCause::denied);
        log_denied(client.log_id(), publish);
        if (publish.qos == QoS::at_least_once)
            acknowledge(sender, Puback{publish.packet_id, ReasonCode::not_authorized, {}});
        if (publish.qos == QoS::exactly_once)
            acknowledge(sender, Pubrec{publish.packet_id, ReasonCode::not_authorized, {}});
        return;
    }
    log_received(client.log_id(), publish);
    if (settings.message_size_limit != 0 && publish.payload.size() > settings.message_size_limit) {
        // As Mosquitto: dropped, and the connection kept; MQTT 5 clients learn why from the reason code.
        counters().dropped(DropCause::message_size);
        logger().log(LogType::notice,
                     "Client {}: PUBLISH to '{}' dropped: payload of {} bytes exceeds message_size_limit {}.",
                     client.log_id(), publish.topic, publish.payload.size(), settings.message_size_limit);
        ReasonCode why =
            client.version == ProtocolVersion::v5 ? ReasonCode::packet_too_large : ReasonCode::success;
        if (publish.qos == QoS::at_least_once) acknowledge(sender, Puback{publish.packet_id, why, {}});
        if (publish.qos == QoS::exactly_once) acknowledge(sender, Pubrec{publish.packet_id, why, {}});
        return;
    }
    if (publish.retain && !settings.retain_available)
        return protocol_violation(client, "retained PUBLISH but retain_available is false",
                                  ReasonCode::retain_not_supported);

    QoS qos = publish.qos;
    std::uint16_t packet_id = publish.packet_id;
    auto received = Message::received(std::move(publish));
    if (received->retain && settings.check_retain_source)
        received->source = std::make_shared<const MessageSource>(
            MessageSource{std::string(client.client_id()), client.username, client.listener});
    MessagePtr message = std::move(received);
    switch (qos) {
        case QoS::at_most_once:
            router_.route(message, session.anchor().get());
            break;
        case QoS::at_least_once: {
            bool matched = router_.route(message, session.anchor().get());
            // As Mosquitto: an MQTT 5 publisher learns that nobody subscribed.
            bool tell = !matched && client.version == ProtocolVersion::v5;
            // Once the message is stored wherever it must be (store_step.hpp).
            acknowledge(
                sender,
                Puback{packet_id, tell ? ReasonCode::no_matching_subscribers : ReasonCode::success, {}});
            break;
        }
        case QoS::exactly_once: {
            // Held until PUBREL, then routed: a resend with DUP is acknowledged but not delivered twice. In
            // cluster mode its copy goes to JetStream now, and the PUBREC waits for it.
            const Message& held = *message;  // the session holds it from here on
            if (session.hold_incoming(packet_id, std::move(message)))
                if (ClusterLink* cluster = broker_.cluster()) cluster->store_held(held, loop_);
            acknowledge(sender, Pubrec{packet_id});
            break;
        }
    }
}

bool LoopBroker::memory_allows(Client& client, const Publish& publish) {
    MemoryGuard& memory = broker_.memory();
    taken_since_sample_ += publish.topic.size() + publish.payload.size();
    if (taken_since_sample_ >= memory.sample_every()) {
        taken_since_sample_ = 0;
        memory.sample();
    }
    if (!memory.over()) return true;
    // Clearing a retained message only frees memory: it is how an operator gets out of a heap full of them.
    if (publish.retain && publish.payload.empty()) return true;
    counters().dropped(DropCause::memory);
    logger().log(
        LogType::notice,
        "Client {} disconnected due to out of memory: PUBLISH to '{}' dropped, the heap holds {} bytes, "
        "over memory_limit {}.",
        client.log_id(), publish.topic, memory.last_sample(), memory.limit());
    if (client.version == ProtocolVersion::v5) client.send(Disconnect{ReasonCode::server_busy, {}});
    end_connection(client, CloseReason::protocol_error);
    return false;
}

void LoopBroker::handle_pubrel(const ClientPtr& client, const Pubrel& pubrel) {
    Session& session = *client->session;
    MessagePtr message = session.release_incoming(pubrel.packet_id);
    if (message) {
        if (ClusterLink* cluster = broker_.cluster()) cluster->releasing_held(loop_);  // stored at PUBLISH
        router_.route(message, session.anchor().get());
    }
    // Its removal and what routing stored of it (the queues of stored sessions on every loop, router.cpp) are
    // one batch, committed together: exactly once across a crash.
    if (message && session.stores())
        store_step_.batch().delete_inflight(session.client_id(), store::Direction::incoming,
                                            pubrel.packet_id);
    acknowledge(client, Pubcomp{pubrel.packet_id});
}

}  // namespace culex::broker
