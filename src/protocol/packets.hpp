// Each MQTT control packet as a small typed struct, and Packet, the variant of them all. MQTT 5 is the
// general case: a 3.1.1 packet is the same struct with empty properties and only the reason codes 3.1.1 can
// express.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "protocol/payload.hpp"
#include "protocol/properties.hpp"
#include "protocol/reason_codes.hpp"
#include "protocol/topic_name.hpp"
#include "protocol/types.hpp"

namespace culex::protocol {

struct Will {
    std::string topic;
    Payload payload;
    QoS qos = QoS::at_most_once;
    bool retain = false;
    Properties properties;  // MQTT 5 will properties

    bool operator==(const Will&) const = default;
};

struct Connect {
    ProtocolVersion version = ProtocolVersion::v311;
    bool clean_start = true;  // "clean session" in 3.1.1
    std::uint16_t keep_alive = 60;
    std::string client_id;
    std::optional<std::string> username;
    std::optional<std::string> password;  // binary data
    std::optional<Will> will;
    Properties properties;
    // Mosquitto's bridge bit: protocol level | 0x80 (try_private), for 3.1 and 3.1.1 only. A broker that
    // sees it knows the client is a bridge and does not echo back what it publishes.
    bool bridge = false;

    bool operator==(const Connect&) const = default;
};

struct Connack {
    bool session_present = false;
    ReasonCode reason = ReasonCode::success;  // encoded as a ConnectReturnCode for 3.1/3.1.1
    Properties properties;

    bool operator==(const Connack&) const = default;
};

struct Publish {
    TopicName topic;  // empty when an MQTT 5 topic alias stands for it
    Payload payload;
    QoS qos = QoS::at_most_once;
    bool retain = false;
    bool dup = false;
    std::uint16_t packet_id = 0;  // only for QoS 1 and 2
    PropertiesBox properties;

    bool operator==(const Publish&) const = default;
};

// PUBACK, PUBREC, PUBREL, PUBCOMP share one shape.
template <PacketType Type>
struct PublishResponse {
    static constexpr PacketType type = Type;
    std::uint16_t packet_id = 0;
    ReasonCode reason = ReasonCode::success;
    Properties properties;

    bool operator==(const PublishResponse&) const = default;
};
using Puback = PublishResponse<PacketType::puback>;
using Pubrec = PublishResponse<PacketType::pubrec>;
using Pubrel = PublishResponse<PacketType::pubrel>;
using Pubcomp = PublishResponse<PacketType::pubcomp>;

enum class RetainHandling : std::uint8_t { send_on_subscribe = 0, send_if_new = 1, never_send = 2 };

struct Subscription {
    std::string filter;
    QoS max_qos = QoS::at_most_once;
    bool no_local = false;                                               // MQTT 5
    bool retain_as_published = false;                                    // MQTT 5
    RetainHandling retain_handling = RetainHandling::send_on_subscribe;  // MQTT 5

    bool operator==(const Subscription&) const = default;
};

struct Subscribe {
    std::uint16_t packet_id = 0;
    std::vector<Subscription> subscriptions;
    Properties properties;

    bool operator==(const Subscribe&) const = default;
};

struct Suback {
    std::uint16_t packet_id = 0;
    // One per subscription: granted_qos0/1/2 or an error. 3.1.1 can only express 0, 1, 2 and 0x80.
    std::vector<ReasonCode> reasons;
    Properties properties;

    bool operator==(const Suback&) const = default;
};

struct Unsubscribe {
    std::uint16_t packet_id = 0;
    std::vector<std::string> filters;
    Properties properties;

    bool operator==(const Unsubscribe&) const = default;
};

struct Unsuback {
    std::uint16_t packet_id = 0;
    std::vector<ReasonCode> reasons;  // MQTT 5 only; empty for 3.1.1
    Properties properties;

    bool operator==(const Unsuback&) const = default;
};

struct Pingreq {
    bool operator==(const Pingreq&) const = default;
};
struct Pingresp {
    bool operator==(const Pingresp&) const = default;
};

struct Disconnect {
    ReasonCode reason = ReasonCode::success;  // MQTT 5 only
    Properties properties;

    bool operator==(const Disconnect&) const = default;
};

struct Auth {  // MQTT 5 only
    ReasonCode reason = ReasonCode::success;
    Properties properties;

    bool operator==(const Auth&) const = default;
};

// In packet type order: Packet::index() + 1 is the packet type number.
using Packet = std::variant<Connect, Connack, Publish, Puback, Pubrec, Pubrel, Pubcomp, Subscribe, Suback,
                            Unsubscribe, Unsuback, Pingreq, Pingresp, Disconnect, Auth>;

inline PacketType type_of(const Packet& packet) {
    return static_cast<PacketType>(packet.index() + 1);
}

}  // namespace culex::protocol
