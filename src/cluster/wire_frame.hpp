// The bytes a broker message travels as between nodes, in a NATS message's data (no NATS headers: building
// and parsing five of them per message was most of a cross-node message's cost). The topic is the NATS
// subject (subject_map.hpp); the frame carries the rest, then the payload as is:
//
//   byte 0     kFrameVersion
//   byte 1     flags: bits 0-1 QoS, bit 2 retain, bit 3 origin, bit 4 served, bit 5 properties
//   [origin]   varint length, "NODE:INCARNATION:LOOP", varint sequence (0: none)
//   [served]   varint length, the shared groups' queue groups served on the publishing node, space-separated
//   [props]    varint length, the MQTT 5 properties as a PUBLISH carries them (an MQTT 5 PUBLISH packet to
//              topic "p" with no payload)
//   payload    every byte left
//
// Varints are LEB128 (7 bits a byte, low first). Pure: no NATS, no I/O; read_frame refuses what it cannot
// read with a reason, and never reads past the bytes it is given. The stored stream (message_stream) and the
// retained stream (retained_sync) keep messages in this format too.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "protocol/packets.hpp"

namespace culex::cluster {

inline constexpr unsigned char kFrameVersion = 0xC1;

// What a frame says besides the topic, as views into the frame's bytes.
struct FrameView {
    protocol::QoS qos = protocol::QoS::at_most_once;
    bool retain = false;
    std::string_view origin;  // empty: none
    std::uint64_t sequence = 0;
    std::string_view served;      // queue groups, space-separated; empty: none
    std::string_view properties;  // the encoded carrier packet; empty: none
    std::string_view payload;
};

// Appends the frame of `message` to `out` (which the caller clears: a loop reuses one buffer).
// `served_queues` is already in queue-group form ("culex.G1 culex.G2").
void write_frame(const protocol::Publish& message, std::string_view origin, std::uint64_t sequence,
                 std::string_view served_queues, std::string& out);

// The frame in `bytes`, or why it is not one.
std::expected<FrameView, std::string> read_frame(std::string_view bytes);

// The message a frame stands for, on `topic`; an error when its properties do not decode.
std::expected<protocol::Publish, std::string> publish_from_frame(const FrameView& frame, std::string topic);

}  // namespace culex::cluster
