#include "client/debug_lines.hpp"

#include <fmt/format.h>

#include <type_traits>

#include "protocol/reason_codes.hpp"

namespace culex::client {

namespace {

using namespace culex::protocol;

// Mosquitto prints a missing id as printf prints a null string.
std::string_view shown_id(std::string_view id) {
    return id.empty() ? std::string_view("(null)") : id;
}

int qos_number(QoS qos) {
    return static_cast<int>(qos);
}

int code_number(ReasonCode reason) {
    return static_cast<int>(reason);
}

std::string publish_fields(const Publish& p) {
    return fmt::format("(d{}, q{}, r{}, m{}, '{}', ... ({} bytes))", p.dup ? 1 : 0, qos_number(p.qos),
                       p.retain ? 1 : 0, p.packet_id, p.topic, p.payload.size());
}

int connack_number(const Connack& c, ProtocolVersion version) {
    if (version == ProtocolVersion::v5) return code_number(c.reason);
    return static_cast<int>(to_connect_return_code(c.reason));
}

// The option bits other than QoS, which the line shows on its own (as mosquitto prints them).
std::uint8_t subscription_options(const Subscription& s) {
    std::uint8_t options = 0;
    if (s.no_local) options |= 0x04;
    if (s.retain_as_published) options |= 0x08;
    options |= static_cast<std::uint8_t>(static_cast<unsigned>(s.retain_handling) << 4);
    return options;
}

}  // namespace

void describe_sent(std::string_view client_id, const Packet& packet, ProtocolVersion, const LineSink& sink) {
    auto id = shown_id(client_id);
    std::visit(
        [&](const auto& p) {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, Publish>) {
                sink(fmt::format("Client {} sending PUBLISH {}", id, publish_fields(p)));
            } else if constexpr (std::is_same_v<T, Puback>) {
                sink(fmt::format("Client {} sending PUBACK (m{}, rc{})", id, p.packet_id,
                                 code_number(p.reason)));
            } else if constexpr (std::is_same_v<T, Pubrec>) {
                sink(fmt::format("Client {} sending PUBREC (m{}, rc{})", id, p.packet_id,
                                 code_number(p.reason)));
            } else if constexpr (std::is_same_v<T, Pubrel>) {
                sink(fmt::format("Client {} sending PUBREL (m{})", id, p.packet_id));
            } else if constexpr (std::is_same_v<T, Pubcomp>) {
                sink(fmt::format("Client {} sending PUBCOMP (m{})", id, p.packet_id));
            } else if constexpr (std::is_same_v<T, Subscribe>) {
                for (const auto& s : p.subscriptions) {
                    sink(fmt::format(
                        "Client {} sending SUBSCRIBE (Mid: {}, Topic: {}, QoS: {}, Options: 0x{:02x})", id,
                        p.packet_id, s.filter, qos_number(s.max_qos), subscription_options(s)));
                }
            } else if constexpr (std::is_same_v<T, Unsubscribe>) {
                for (const auto& f : p.filters) {
                    sink(fmt::format("Client {} sending UNSUBSCRIBE (Mid: {}, Topic: {})", id, p.packet_id,
                                     f));
                }
            } else {
                sink(fmt::format("Client {} sending {}", id, to_string(type_of(packet))));
            }
        },
        packet);
}

void describe_received(std::string_view client_id, const Packet& packet, ProtocolVersion version,
                       const LineSink& sink) {
    auto id = shown_id(client_id);
    std::visit(
        [&](const auto& p) {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, Connack>) {
                sink(fmt::format("Client {} received CONNACK ({})", id, connack_number(p, version)));
            } else if constexpr (std::is_same_v<T, Publish>) {
                sink(fmt::format("Client {} received PUBLISH {}", id, publish_fields(p)));
            } else if constexpr (std::is_same_v<T, Puback> || std::is_same_v<T, Pubcomp>) {
                sink(fmt::format("Client {} received {} (Mid: {}, RC:{})", id, to_string(T::type),
                                 p.packet_id, code_number(p.reason)));
            } else if constexpr (std::is_same_v<T, Pubrec> || std::is_same_v<T, Pubrel>) {
                sink(fmt::format("Client {} received {} (Mid: {})", id, to_string(T::type), p.packet_id));
            } else {
                sink(fmt::format("Client {} received {}", id, to_string(type_of(packet))));
            }
        },
        packet);
}

}  // namespace culex::client
