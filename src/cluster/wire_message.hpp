// A broker message as a NATS message: the subject is its topic (subject_map.hpp), the data its frame
// (wire_frame.hpp: QoS, retain, MQTT 5 properties, the origin and its sequence, then the payload). The routed
// path writes frames into a loop's own buffer and publishes subject and bytes (no natsMsg); the stored and
// retained streams, which publish to JetStream, use to_nats and from_nats, the one decoder they all share.
#pragma once

#include <nats/nats.h>

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "broker/message.hpp"
#include "cluster/nats_handles.hpp"
#include "cluster/wire_frame.hpp"

namespace culex::cluster {

// Who sent a message, and its place in that sender's order.
struct Origin {
    std::string name;  // "NODE:INCARNATION:LOOP": one ordered stream of messages
    std::uint64_t sequence = 0;
};

// "G1\nG2\n" (shared groups as the router lists them) -> "culex.G1 culex.G2" (their queue groups), appended
// to `out`.
void append_served_queues(std::string_view served_groups, std::string& out);

// A NATS message for `message` on `subject`; `origin` names its sender (sequence 0: none sent, as for the
// retained stream, where order is the stream's).
std::expected<MessagePtr, std::string> to_nats(const broker::Message& message, const std::string& subject,
                                               const Origin& origin, std::string_view served_groups = {});

struct Received {
    broker::MessagePtr message;
    Origin origin;       // empty name: the message carries none
    std::string served;  // queue groups served on the publishing node, space-separated
};

// The broker message that `data`, received on `subject` (made with `prefix`), stands for; an error naming
// what is wrong with it (a corrupt or short frame, a subject no topic makes).
std::expected<broker::MessagePtr, std::string> message_from_frame(const FrameView& frame,
                                                                  std::string_view subject,
                                                                  std::string_view prefix);
std::expected<Received, std::string> from_nats(natsMsg* message, std::string_view prefix);

}  // namespace culex::cluster
