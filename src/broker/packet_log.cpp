#include "broker/packet_log.hpp"

#include "log/logger.hpp"

namespace culex::broker {

using culex::log::LogType;
using namespace culex::protocol;

namespace {

int rc(ReasonCode code) {
    return static_cast<int>(code);
}

void log_publish(std::string_view verb, std::string_view direction, std::string_view id, const Publish& p) {
    culex::log::logger().log(LogType::debug, "{} PUBLISH {} {} (d{}, q{}, r{}, m{}, '{}', ... ({} bytes))",
                             verb, direction, id, p.dup ? 1 : 0, static_cast<int>(p.qos), p.retain ? 1 : 0,
                             p.packet_id, p.topic, p.payload.size());
}

}  // namespace

void log_sending_publish(std::string_view id, const Publish& p, const DeliveryFields& f) {
    auto& log = culex::log::logger();
    if (!log.enabled(LogType::debug)) return;
    log.log(LogType::debug, "Sending PUBLISH to {} (d{}, q{}, r{}, m{}, '{}', ... ({} bytes))", id,
            f.dup ? 1 : 0, static_cast<int>(f.qos), f.retain ? 1 : 0, f.packet_id,
            std::string_view(p.topic).substr(f.topic_skip), p.payload.size());
}

void log_denied(std::string_view id, const Publish& publish) {
    if (culex::log::logger().enabled(LogType::debug)) log_publish("Denied", "from", id, publish);
}

void log_sending(std::string_view id, const Packet& packet, ProtocolVersion version) {
    auto& log = culex::log::logger();
    if (!log.enabled(LogType::debug)) return;
    std::visit(
        [&](const auto& p) {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, Connack>) {
                int code = version == ProtocolVersion::v5
                               ? rc(p.reason)
                               : static_cast<int>(to_connect_return_code(p.reason));
                log.log(LogType::debug, "Sending CONNACK to {} ({}, {})", id, p.session_present ? 1 : 0,
                        code);
            } else if constexpr (std::is_same_v<T, Publish>) {
                log_publish("Sending", "to", id, p);
            } else if constexpr (std::is_same_v<T, Puback>) {
                log.log(LogType::debug, "Sending PUBACK to {} (m{}, rc{})", id, p.packet_id, rc(p.reason));
            } else if constexpr (std::is_same_v<T, Pubrec>) {
                log.log(LogType::debug, "Sending PUBREC to {} (m{}, rc{})", id, p.packet_id, rc(p.reason));
            } else if constexpr (std::is_same_v<T, Pubrel>) {
                log.log(LogType::debug, "Sending PUBREL to {} (m{})", id, p.packet_id);
            } else if constexpr (std::is_same_v<T, Pubcomp>) {
                log.log(LogType::debug, "Sending PUBCOMP to {} (m{})", id, p.packet_id);
            } else if constexpr (std::is_same_v<T, Disconnect>) {
                log.log(LogType::debug, "Sending DISCONNECT to {} ({})", id, rc(p.reason));
            } else {
                log.log(LogType::debug, "Sending {} to {}", to_string(type_of(packet)), id);
            }
        },
        packet);
}

void log_received(std::string_view id, const Publish& publish) {
    if (culex::log::logger().enabled(LogType::debug)) log_publish("Received", "from", id, publish);
}

void log_received(std::string_view id, const Packet& packet) {
    auto& log = culex::log::logger();
    if (!log.enabled(LogType::debug)) return;
    std::visit(
        [&](const auto& p) {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, Publish>) {
                log_publish("Received", "from", id, p);
            } else if constexpr (std::is_same_v<T, Puback>) {
                log.log(LogType::debug, "Received PUBACK from {} (Mid: {}, RC:{})", id, p.packet_id,
                        rc(p.reason));
            } else if constexpr (std::is_same_v<T, Pubrec>) {
                log.log(LogType::debug, "Received PUBREC from {} (Mid: {})", id, p.packet_id);
            } else if constexpr (std::is_same_v<T, Pubrel>) {
                log.log(LogType::debug, "Received PUBREL from {} (Mid: {})", id, p.packet_id);
            } else if constexpr (std::is_same_v<T, Pubcomp>) {
                log.log(LogType::debug, "Received PUBCOMP from {} (Mid: {}, RC:{})", id, p.packet_id,
                        rc(p.reason));
            } else {
                log.log(LogType::debug, "Received {} from {}", to_string(type_of(packet)), id);
            }
        },
        packet);
}

}  // namespace culex::broker
