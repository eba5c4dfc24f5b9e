// The -d lines of Mosquitto's clients ("Client ID sending PUBLISH (d0, q1, r0, m1, 'a', ... (5 bytes))"),
// word for word, so that people and scripts used to mosquitto_pub/sub read ours the same way.
#pragma once

#include <functional>
#include <string_view>

#include "protocol/packets.hpp"

namespace culex::client {

using LineSink = std::function<void(std::string_view)>;

// One line per packet, except SUBSCRIBE and UNSUBSCRIBE: one line per topic, as Mosquitto prints them.
void describe_sent(std::string_view client_id, const protocol::Packet& packet,
                   protocol::ProtocolVersion version, const LineSink& sink);
void describe_received(std::string_view client_id, const protocol::Packet& packet,
                       protocol::ProtocolVersion version, const LineSink& sink);

}  // namespace culex::client
