// Internal to the codec: MQTT 5 property lists, with the spec's rules on which packet may carry which
// property, how often, and with which values (spec 2.2.2.2 and each packet's section).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include <string>

#include "protocol/properties.hpp"
#include "protocol/types.hpp"
#include "protocol/wire.hpp"

namespace culex::protocol::wire {

// Where a property list sits: a packet type, or the will properties inside CONNECT.
struct PropertyPlace {
    PacketType packet;
    bool will = false;
};

// Reads a property list into `into`, which must be empty (a fresh packet's): filling it in place spares the
// decoder a Properties temporary and a move of it per packet.
void read_properties(Reader& reader, PropertyPlace place, Properties& into);

// Appends the property length and the properties.
void write_properties(const Properties& properties, std::string& out);

// A PUBLISH's properties as they go to one receiver: the message's own, with these replaced.
struct PublishPropertyOverrides {
    std::span<const std::uint32_t> subscription_identifiers;
    std::optional<std::uint32_t> message_expiry_interval;
    std::uint16_t topic_alias = 0;  // 0: none
};
void write_publish_properties(const Properties& properties, const PublishPropertyOverrides& overrides,
                              std::string& out);

}  // namespace culex::protocol::wire
