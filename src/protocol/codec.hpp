// The MQTT wire format: splitting a byte stream into frames, decoding a frame into a Packet, and encoding a
// Packet. Pure functions: no I/O, no state beyond the arguments. Errors are values that name the violation.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "protocol/packets.hpp"

namespace culex::protocol {

struct DecodeError {
    ReasonCode code =
        ReasonCode::malformed_packet;  // malformed_packet, protocol_error, packet_too_large, ...
    std::string message;               // names the violation, e.g. "PUBLISH topic contains a wildcard"
};

// One complete packet in a byte stream: the fixed header's first byte and the rest after the length.
struct Frame {
    std::uint8_t header = 0;
    std::string_view body;
    std::size_t size = 0;  // bytes the frame takes in the stream, fixed header included

    PacketType type() const { return static_cast<PacketType>(header >> 4); }
    std::uint8_t flags() const { return header & 0x0F; }
};

// Looks for one complete packet at the front of `stream`. Returns the frame, std::nullopt when more bytes are
// needed, or an error (bad remaining length; packet larger than `max_packet_size`, known as soon as its
// length is, before its body arrives).
std::expected<std::optional<Frame>, DecodeError> next_frame(
    std::string_view stream, std::uint32_t max_packet_size = kMaxRemainingLength + 5);

// Decodes and validates one frame. `version` is the connection's negotiated version (CONNECT carries its
// own).
std::expected<Packet, DecodeError> decode(const Frame& frame, ProtocolVersion version);
// As decode, but a PUBLISH's topic and payload point into the frame's bytes instead of owning a copy: for
// the broker, which keeps them in one block with its Message. The bytes must outlive the packet, unless it
// is copied or moved (which owns: topic_name.hpp, payload.hpp).
std::expected<Packet, DecodeError> decode_borrowing(const Frame& frame, ProtocolVersion version);

// Appends the encoding of `packet` for `version` to `out`. Fields the version cannot carry are left out.
void encode(const Packet& packet, ProtocolVersion version, std::string& out);
void encode(const Publish& publish, ProtocolVersion version, std::string& out);

// One delivery of a published message to one receiver: what differs per receiver. The broker encodes the
// one shared message for each subscriber with these, without copying it.
struct DeliveryFields {
    QoS qos = QoS::at_most_once;
    bool retain = false;
    bool dup = false;
    std::uint16_t packet_id = 0;
    // MQTT 5 only:
    std::span<const std::uint32_t> subscription_identifiers;  // replace the message's
    std::optional<std::uint32_t> message_expiry_interval;     // the time left; replaces the message's
    std::uint16_t topic_alias = 0;                            // 0: none
    bool omit_topic = false;  // the receiver knows the alias already: send an empty topic
    // Leading bytes of the topic the receiver is not shown (its listener's mount_point).
    std::uint16_t topic_skip = 0;
};

// Appends the PUBLISH and returns its size in bytes.
std::size_t encode_delivery(const Publish& message, const DeliveryFields& fields, ProtocolVersion version,
                            std::string& out);

// What encode_delivery_header wrote: the PUBLISH up to its payload, which the caller sends from where it is
// (shared by every subscriber of the message) rather than copying it.
struct DeliveryHeader {
    std::size_t size = 0;          // bytes appended
    std::size_t packet_size = 0;   // the whole PUBLISH, payload included
    std::size_t packet_id_at = 0;  // where the packet id's two bytes are, from the start; 0: no packet id
};
DeliveryHeader encode_delivery_header(const Publish& message, const DeliveryFields& fields,
                                      ProtocolVersion version, std::string& out);

// Variable byte integer (spec 1.5.5), exposed for the properties code and tests.
void encode_varint(std::uint32_t value, std::string& out);

}  // namespace culex::protocol
