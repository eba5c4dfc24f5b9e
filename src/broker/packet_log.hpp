// Mosquitto's words for every packet the broker sends or receives ("Sending PUBACK to ID (m1, rc0)"), logged
// at debug level. Both functions cost one atomic load when debug logging is off.
#pragma once

#include <string_view>

#include "protocol/codec.hpp"
#include "protocol/packets.hpp"

namespace culex::broker {

void log_sending(std::string_view client_id, const protocol::Packet& packet);
void log_received(std::string_view client_id, const protocol::Packet& packet);
// The same for a PUBLISH, without first copying it into a Packet (its topic, properties and all): this one is
// on every message's path.
void log_received(std::string_view client_id, const protocol::Publish& publish);
// One delivery of a shared message.
void log_sending_publish(std::string_view client_id, const protocol::Publish& message,
                         const protocol::DeliveryFields& fields);
// A PUBLISH the ACL refused, in place of its "Received PUBLISH" line.
void log_denied(std::string_view client_id, const protocol::Publish& publish);

}  // namespace culex::broker
