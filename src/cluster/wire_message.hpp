// A broker message as it travels between nodes: the NATS subject is its topic (subject_map.hpp), the data
// its payload, and headers carry the rest: QoS, retain, the MQTT 5 properties, and the origin (node,
// incarnation and loop) with a per-loop sequence, by which a node drops the second copy NATS hands it when
// two of its subscriptions match one message.
#pragma once

#include <nats/nats.h>

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "broker/message.hpp"
#include "cluster/nats_handles.hpp"

namespace culex::cluster {

inline constexpr const char* kOriginHeader = "Culex-Origin";
inline constexpr const char* kSequenceHeader = "Culex-Seq";
inline constexpr const char* kQosHeader = "Culex-QoS";
inline constexpr const char* kRetainHeader = "Culex-Retain";
inline constexpr const char* kPropertiesHeader = "Culex-Props";
// The shared groups the publishing node gave the message to (their queue groups, space-separated): NATS's
// pick of another node's member is then skipped there.
inline constexpr const char* kServedHeader = "Culex-Served";

// Who sent a message, and its place in that sender's order.
struct Origin {
    std::string name;  // "NODE:INCARNATION:LOOP": one ordered stream of messages
    std::uint64_t sequence = 0;
};

// A NATS message for `message` on `subject`; `origin` names its sender (sequence 0: none sent, as for the
// retained stream, where order is the stream's).
std::expected<MessagePtr, std::string> to_nats(const broker::Message& message, const std::string& subject,
                                               const Origin& origin, std::string_view served_groups = {});

struct Received {
    broker::MessagePtr message;
    Origin origin;       // empty name: the message carries none (published by something other than culex)
    std::string served;  // Culex-Served: queue groups served on the publishing node, space-separated
};

// The broker message a NATS message made with `prefix` stands for; an error naming what is wrong with it.
std::expected<Received, std::string> from_nats(natsMsg* message, std::string_view prefix);

}  // namespace culex::cluster
