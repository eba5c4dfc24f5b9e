// The load generator's hot path on the wire, built on the project's codec:
// - PublishTemplate: one PUBLISH encoded once by protocol::encode(); each message is a copy of it into the
//   write buffer with the packet identifier and the payload's stamp patched in (no allocation, no re-encode).
// - peek_publish(): reads from a PUBLISH frame only what a receiver needs (topic, packet identifier, payload)
//   without building a protocol::Publish, which would allocate the topic and the payload per message.
// - append_ack(): the 4-byte PUBACK/PUBREC/PUBREL/PUBCOMP (success, no properties: the same bytes in 3.1.1
//   and 5).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bench/stamp.hpp"
#include "protocol/codec.hpp"

namespace culex::bench {

class PublishTemplate {
  public:
    PublishTemplate(std::string_view topic, std::size_t payload_size, protocol::QoS qos,
                    protocol::ProtocolVersion version);

    // Appends one PUBLISH with this packet identifier (ignored at QoS 0) and stamp.
    void append(std::string& out, std::uint16_t packet_id, const Stamp& stamp) const;

    std::size_t size() const { return wire_.size(); }
    const std::string& wire() const { return wire_; }

  private:
    std::string wire_;
    std::size_t packet_id_offset_ = 0;  // 0: QoS 0, no identifier
    std::size_t payload_offset_ = 0;
};

struct PublishView {
    std::string_view topic;  // empty when an MQTT 5 topic alias stands for it
    std::string_view payload;
    std::uint16_t packet_id = 0;
    protocol::QoS qos = protocol::QoS::at_most_once;
    bool dup = false;
};

// The fields of a PUBLISH frame, or nullopt when it is too short for what its lengths announce or has QoS 3.
// Validates no more than that: the load generator trusts the broker's topic and properties.
std::optional<PublishView> peek_publish(const protocol::Frame& frame, protocol::ProtocolVersion version);

// PUBACK, PUBREC, PUBREL or PUBCOMP for `packet_id`, reason Success, appended to `out`.
void append_ack(std::string& out, protocol::PacketType type, std::uint16_t packet_id);

}  // namespace culex::bench
