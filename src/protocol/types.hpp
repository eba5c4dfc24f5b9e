// The small vocabulary of MQTT shared by every module: versions, packet types, QoS.
#pragma once

#include <cstdint>
#include <string_view>

namespace culex::protocol {

// The protocol level byte of CONNECT.
enum class ProtocolVersion : std::uint8_t { v31 = 3, v311 = 4, v5 = 5 };

enum class PacketType : std::uint8_t {
    connect = 1,
    connack = 2,
    publish = 3,
    puback = 4,
    pubrec = 5,
    pubrel = 6,
    pubcomp = 7,
    subscribe = 8,
    suback = 9,
    unsubscribe = 10,
    unsuback = 11,
    pingreq = 12,
    pingresp = 13,
    disconnect = 14,
    auth = 15,
};

enum class QoS : std::uint8_t { at_most_once = 0, at_least_once = 1, exactly_once = 2 };

// "CONNECT", "PUBLISH", ...: the names Mosquitto's log uses.
std::string_view to_string(PacketType type);

// The "pN" of Mosquitto's connect log line: 1 for 3.1, 2 for 3.1.1, 5 for 5.0.
int log_protocol_number(ProtocolVersion version);

constexpr std::uint32_t kMaxRemainingLength = 268'435'455;  // four bytes of variable byte integer
constexpr std::uint16_t kMaxStringLength = 65'535;

}  // namespace culex::protocol
