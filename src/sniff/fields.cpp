#include <fmt/format.h>

#include <array>
#include <utility>

#include "sniff/output.hpp"
#include "sniff/printable.hpp"

namespace culex::sniff {

namespace {

using namespace culex::protocol;

constexpr std::array<std::pair<std::string_view, Field>, 35> kNames{{
    {"time", Field::time},
    {"epoch", Field::epoch},
    {"src", Field::src},
    {"dst", Field::dst},
    {"client", Field::client},
    {"broker", Field::broker},
    {"direction", Field::direction},
    {"clientid", Field::clientid},
    {"username", Field::username},
    {"password", Field::password},
    {"version", Field::version},
    {"type", Field::type},
    {"topic", Field::topic},
    {"qos", Field::qos},
    {"retain", Field::retain},
    {"dup", Field::dup},
    {"packet_id", Field::packet_id},
    {"payload", Field::payload},
    {"payload_len", Field::payload_len},
    {"properties", Field::properties},
    {"reason", Field::reason},
    {"size", Field::size},
    // tshark's names, so that existing command lines keep working
    {"frame.time_epoch", Field::epoch},
    {"mqtt.clientid", Field::clientid},
    {"mqtt.username", Field::username},
    {"mqtt.passwd", Field::password},
    {"mqtt.ver", Field::version},
    {"mqtt.msgtype", Field::type},
    {"mqtt.topic", Field::topic},
    {"mqtt.qos", Field::qos},
    {"mqtt.retain", Field::retain},
    {"mqtt.dupflag", Field::dup},
    {"mqtt.msgid", Field::packet_id},
    {"mqtt.msg", Field::payload},
    {"mqtt.len", Field::size},
}};

std::string joined(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& value : values) {
        if (!out.empty()) out += ',';
        out += value;
    }
    return out;
}

std::optional<std::uint16_t> packet_id_of(const Packet& packet) {
    return std::visit(
        [](const auto& p) -> std::optional<std::uint16_t> {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, Publish>) {
                if (p.qos == QoS::at_most_once) return std::nullopt;
                return p.packet_id;
            } else if constexpr (requires { p.packet_id; }) {
                return p.packet_id;
            } else {
                return std::nullopt;
            }
        },
        packet);
}

// A PUBLISH keeps its properties in a box; the other packets inline.
const Properties& unboxed(const Properties& properties) {
    return properties;
}
const Properties& unboxed(const PropertiesBox& properties) {
    return *properties;
}

const Properties* properties_of(const Packet& packet) {
    return std::visit(
        [](const auto& p) -> const Properties* {
            if constexpr (requires { p.properties; }) {
                return &unboxed(p.properties);
            } else {
                return nullptr;
            }
        },
        packet);
}

std::string reason_of(const Packet& packet) {
    return std::visit(
        [](const auto& p) -> std::string {
            if constexpr (requires { p.reason; }) {
                return std::string(to_string(p.reason));
            } else if constexpr (requires { p.reasons; }) {
                std::vector<std::string> names;
                for (auto reason : p.reasons)
                    names.emplace_back(to_string(reason));
                return joined(names);
            } else {
                return "";
            }
        },
        packet);
}

}  // namespace

std::expected<Field, Error> parse_field(std::string_view name) {
    for (const auto& [known, field] : kNames) {
        if (known == name) return field;
    }
    return std::unexpected(Error{fmt::format("unknown field '{}' (known: {})", name, field_names())});
}

std::string field_names() {
    std::string out;
    for (const auto& [name, field] : kNames) {
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out;
}

std::string field_value(Field field, const PacketEvent& event, const DescribeOptions& options) {
    const Packet& packet = event.packet;
    const Connection& c = event.connection;
    const auto* publish = std::get_if<Publish>(&packet);
    const auto* connect = std::get_if<Connect>(&packet);
    bool to_broker = event.direction == Direction::to_broker;
    switch (field) {
        case Field::time:
            return clock_time(event.time);
        case Field::epoch:
            return epoch_time(event.time);
        case Field::src:
            return to_broker ? c.endpoints.client : c.endpoints.broker;
        case Field::dst:
            return to_broker ? c.endpoints.broker : c.endpoints.client;
        case Field::client:
            return c.endpoints.client;
        case Field::broker:
            return c.endpoints.broker;
        case Field::direction:
            return to_broker ? "to-broker" : "to-client";
        case Field::clientid:
            return printable_text(c.client_id);
        case Field::username:
            if (connect) return connect->username ? printable_text(*connect->username) : "";
            return c.username ? printable_text(*c.username) : "";
        case Field::password:
            if (!connect || !connect->password) return "";
            if (!options.show_secrets) return "******";
            return is_printable(*connect->password) ? printable_text(*connect->password)
                                                    : "0x" + hex(*connect->password);
        case Field::version:
            if (connect) return std::string(version_name(connect->version));
            return c.version ? std::string(version_name(*c.version)) : "";
        case Field::type:
            return std::string(to_string(type_of(packet)));
        case Field::topic:
            if (publish) return printable_text(publish->topic);
            if (const auto* s = std::get_if<Subscribe>(&packet)) {
                std::vector<std::string> filters;
                for (const auto& sub : s->subscriptions)
                    filters.push_back(printable_text(sub.filter));
                return joined(filters);
            }
            if (const auto* u = std::get_if<Unsubscribe>(&packet)) {
                std::vector<std::string> filters;
                for (const auto& filter : u->filters)
                    filters.push_back(printable_text(filter));
                return joined(filters);
            }
            return "";
        case Field::qos:
            if (publish) return std::to_string(static_cast<int>(publish->qos));
            if (const auto* s = std::get_if<Subscribe>(&packet)) {
                std::vector<std::string> levels;
                for (const auto& sub : s->subscriptions)
                    levels.push_back(std::to_string(int(sub.max_qos)));
                return joined(levels);
            }
            return "";
        case Field::retain:
            return publish ? (publish->retain ? "1" : "0") : "";
        case Field::dup:
            return publish ? (publish->dup ? "1" : "0") : "";
        case Field::packet_id: {
            auto id = packet_id_of(packet);
            return id ? std::to_string(*id) : "";
        }
        case Field::payload:
            if (!publish) return "";
            if (is_printable(publish->payload.view())) return printable_text(publish->payload.view());
            return "0x" + hex(publish->payload.view());
        case Field::payload_len:
            return publish ? std::to_string(publish->payload.size()) : "";
        case Field::properties: {
            const Properties* properties = properties_of(packet);
            return properties ? properties_text(*properties) : "";
        }
        case Field::reason:
            return reason_of(packet);
        case Field::size:
            return std::to_string(event.size);
    }
    return "";
}

}  // namespace culex::sniff
