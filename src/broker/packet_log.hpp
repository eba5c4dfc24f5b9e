// Mosquitto's words for every packet the broker sends or receives ("Sending PUBACK to ID (m1, rc0)"), logged
// at debug level. Both functions cost one atomic load when debug logging is off.
#pragma once

#include <string_view>

#include "protocol/codec.hpp"
#include "protocol/packets.hpp"

namespace culex::broker {

// `version`: the client's, so that a CONNACK's code is logged as that client reads it (3.1.1: the return
// code, 5 for not authorised, where MQTT 5 reads 0x87), as Mosquitto logs it.
void log_sending(std::string_view client_id, const protocol::Packet& packet,
                 protocol::ProtocolVersion version);
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
