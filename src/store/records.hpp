// The values the broker hands to the store and gets back from it at restart: plain data, no behaviour.
// Payloads are the shared buffers the broker already holds (no copy on the way in); MQTT 5 properties travel
// as their encoded bytes (protocol's properties codec), so that the store never needs to know one property
// from another.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "protocol/payload.hpp"
#include "protocol/types.hpp"

namespace culex::store {

// Deadlines are wall-clock time: they must mean the same after a restart, which a steady clock's do not.
using Deadline = std::chrono::sys_time<std::chrono::milliseconds>;

struct RetainedRecord {
    std::string topic;
    protocol::Payload payload;
    protocol::QoS qos = protocol::QoS::at_most_once;
    std::string properties;              // encoded MQTT 5 properties; empty for none
    std::optional<Deadline> expires_at;  // MQTT 5 Message Expiry Interval, counted from arrival

    bool operator==(const RetainedRecord&) const = default;
};

// A session that outlives its connection (clean session 0, or a Session Expiry Interval above 0).
struct SessionRecord {
    std::string client_id;
    protocol::ProtocolVersion version = protocol::ProtocolVersion::v311;
    // Seconds the session outlives its connection; nullopt: forever (3.1.1 clean session 0, or 0xFFFFFFFF).
    std::optional<std::uint32_t> expiry_interval;
    // When it ends: set when the connection was lost, nullopt while connected or when it never expires.
    std::optional<Deadline> expires_at;
    int listener = 0;  // the listener of its latest connection (for per-listener ACLs while offline)
    std::optional<std::string> username;

    bool operator==(const SessionRecord&) const = default;
};

// One filter of one session. Key: (client_id, share_name, filter).
struct SubscriptionRecord {
    std::string client_id;
    std::string filter;      // without "$share/NAME/"
    std::string share_name;  // empty: not a shared subscription
    protocol::QoS qos = protocol::QoS::at_most_once;
    bool no_local = false;
    bool retain_as_published = false;
    std::uint8_t retain_handling = 0;  // 0, 1, 2 as on the wire
    std::optional<std::uint32_t> subscription_id;

    bool operator==(const SubscriptionRecord&) const = default;
};

// A message waiting for an offline (or busy) session. Key: (client_id, sequence); the sequence is the
// session's own and gives the delivery order.
struct QueuedMessage {
    std::string client_id;
    std::uint64_t sequence = 0;
    std::string topic;
    protocol::Payload payload;
    protocol::QoS qos = protocol::QoS::at_most_once;
    bool retain = false;
    // Encoded MQTT 5 properties of the copy for this session (its subscription identifiers included).
    std::string properties;
    std::optional<Deadline> expires_at;
    std::string share_name;  // the shared subscription it came through, if any (spec 4.8.2 redelivery)

    bool operator==(const QueuedMessage&) const = default;
};

enum class Direction : std::uint8_t { outgoing = 0, incoming = 1 };

enum class InflightState : std::uint8_t {
    // outgoing QoS 1/2: PUBLISH sent, PUBACK or PUBREC awaited; resent with DUP on resume
    publish_sent = 0,
    // outgoing QoS 2: PUBREC received, PUBREL to (re)send, PUBCOMP awaited; the message itself is done
    pubrec_received = 1,
    // incoming QoS 2: PUBLISH received and PUBREC sent, PUBREL awaited; routed once, on PUBREL
    received_not_released = 2,
};

// A QoS 1/2 exchange under way. Key: (client_id, direction, packet_id).
struct InflightRecord {
    std::string client_id;
    Direction direction = Direction::outgoing;
    std::uint16_t packet_id = 0;
    InflightState state = InflightState::publish_sent;
    std::uint64_t sequence = 0;  // outgoing: the resend order (the queue sequence it came from)
    // The message (empty once no longer needed, in state pubrec_received).
    std::string topic;
    protocol::Payload payload;
    protocol::QoS qos = protocol::QoS::at_least_once;
    bool retain = false;
    std::string properties;
    std::optional<Deadline> expires_at;
    std::string share_name;

    bool operator==(const InflightRecord&) const = default;
};

// A session's will. Key: client_id.
struct WillRecord {
    std::string client_id;
    std::string topic;
    protocol::Payload payload;
    protocol::QoS qos = protocol::QoS::at_most_once;
    bool retain = false;
    std::string properties;            // encoded will properties
    std::uint32_t delay_interval = 0;  // MQTT 5 Will Delay Interval, seconds
    // When it is published: set when the connection was lost, nullopt while connected.
    std::optional<Deadline> due_at;

    bool operator==(const WillRecord&) const = default;
};

}  // namespace culex::store
