#include "protocol/properties_codec.hpp"

#include <fmt/format.h>

#include "protocol/codec.hpp"
#include "protocol/topic.hpp"

namespace culex::protocol::wire {
namespace {

constexpr std::uint32_t bit(PacketType t) {
    return 1u << static_cast<unsigned>(t);
}
constexpr std::uint32_t kWill = 1u;  // bit 0: packet type 0 does not exist, so it marks will properties
constexpr std::uint32_t kAll = 0xFFFEu | kWill;

// Which places may carry each property (spec 2.2.2.2, table 2-4).
std::uint32_t allowed_places(PropertyId id) {
    using enum PacketType;
    switch (id) {
        case PropertyId::payload_format_indicator:
        case PropertyId::message_expiry_interval:
        case PropertyId::content_type:
        case PropertyId::response_topic:
        case PropertyId::correlation_data:
            return bit(publish) | kWill;
        case PropertyId::subscription_identifier:
            return bit(publish) | bit(subscribe);
        case PropertyId::session_expiry_interval:
            return bit(connect) | bit(connack) | bit(disconnect);
        case PropertyId::assigned_client_identifier:
        case PropertyId::server_keep_alive:
        case PropertyId::response_information:
        case PropertyId::maximum_qos:
        case PropertyId::retain_available:
        case PropertyId::wildcard_subscription_available:
        case PropertyId::subscription_identifier_available:
        case PropertyId::shared_subscription_available:
            return bit(connack);
        case PropertyId::authentication_method:
        case PropertyId::authentication_data:
            return bit(connect) | bit(connack) | bit(auth);
        case PropertyId::request_problem_information:
        case PropertyId::request_response_information:
            return bit(connect);
        case PropertyId::will_delay_interval:
            return kWill;
        case PropertyId::server_reference:
            return bit(connack) | bit(disconnect);
        case PropertyId::reason_string:
            return bit(connack) | bit(puback) | bit(pubrec) | bit(pubrel) | bit(pubcomp) | bit(suback) |
                   bit(unsuback) | bit(disconnect) | bit(auth);
        case PropertyId::receive_maximum:
        case PropertyId::topic_alias_maximum:
        case PropertyId::maximum_packet_size:
            return bit(connect) | bit(connack);
        case PropertyId::topic_alias:
            return bit(publish);
        case PropertyId::user_property:
            return kAll;
    }
    return 0;
}

std::string place_name(PropertyPlace place) {
    return place.will ? std::string("will properties") : std::string(to_string(place.packet));
}

template <typename T>
void set_once(std::optional<T>& field, T value, PropertyId id) {
    if (field) protocol_error(fmt::format("property 0x{:02X} appears twice", static_cast<int>(id)));
    field = std::move(value);
}

std::uint8_t read_flag(Reader& r, PropertyId id) {
    std::uint8_t v = r.u8("property");
    if (v > 1)
        protocol_error(fmt::format("property 0x{:02X} must be 0 or 1, got {}", static_cast<int>(id), v));
    return v;
}

std::string read_utf8(Reader& r, std::string_view what) {
    auto text = r.binary(what);
    if (!is_valid_utf8(text)) malformed(std::string(what) + ": invalid UTF-8");
    return std::string(text);
}

}  // namespace

void read_properties(Reader& reader, PropertyPlace place, Properties& p) {
    std::uint32_t length = reader.varint("property length");
    Reader r(reader.take(length, "properties"));
    std::uint32_t here = place.will ? kWill : bit(place.packet);
    while (!r.at_end()) {
        std::uint32_t raw_id = r.varint("property identifier");
        auto id = static_cast<PropertyId>(raw_id);
        if (raw_id > 0xFF || (allowed_places(id) & here) == 0)
            protocol_error(fmt::format("property 0x{:02X} is not allowed in {}", raw_id, place_name(place)));
        switch (id) {
            case PropertyId::payload_format_indicator:
                set_once(p.payload_format_indicator, read_flag(r, id), id);
                break;
            case PropertyId::message_expiry_interval:
                set_once(p.message_expiry_interval, r.u32("property"), id);
                break;
            case PropertyId::content_type:
                set_once(p.content_type, read_utf8(r, "content type"), id);
                break;
            case PropertyId::response_topic: {
                auto topic = read_utf8(r, "response topic");
                if (!is_valid_topic_name(topic)) protocol_error("response topic is not a valid topic name");
                set_once(p.response_topic, std::move(topic), id);
                break;
            }
            case PropertyId::correlation_data:
                set_once(p.correlation_data, std::string(r.binary("correlation data")), id);
                break;
            case PropertyId::subscription_identifier: {
                std::uint32_t value = r.varint("subscription identifier");
                if (value == 0) protocol_error("subscription identifier 0");
                if (place.packet == PacketType::subscribe && !p.subscription_identifiers.empty())
                    protocol_error("SUBSCRIBE carries more than one subscription identifier");
                p.subscription_identifiers.push_back(value);
                break;
            }
            case PropertyId::session_expiry_interval:
                set_once(p.session_expiry_interval, r.u32("property"), id);
                break;
            case PropertyId::assigned_client_identifier:
                set_once(p.assigned_client_identifier, read_utf8(r, "assigned client identifier"), id);
                break;
            case PropertyId::server_keep_alive:
                set_once(p.server_keep_alive, r.u16("property"), id);
                break;
            case PropertyId::authentication_method:
                set_once(p.authentication_method, read_utf8(r, "authentication method"), id);
                break;
            case PropertyId::authentication_data:
                set_once(p.authentication_data, std::string(r.binary("authentication data")), id);
                break;
            case PropertyId::request_problem_information:
                set_once(p.request_problem_information, read_flag(r, id), id);
                break;
            case PropertyId::will_delay_interval:
                set_once(p.will_delay_interval, r.u32("property"), id);
                break;
            case PropertyId::request_response_information:
                set_once(p.request_response_information, read_flag(r, id), id);
                break;
            case PropertyId::response_information:
                set_once(p.response_information, read_utf8(r, "response information"), id);
                break;
            case PropertyId::server_reference:
                set_once(p.server_reference, read_utf8(r, "server reference"), id);
                break;
            case PropertyId::reason_string:
                set_once(p.reason_string, read_utf8(r, "reason string"), id);
                break;
            case PropertyId::receive_maximum: {
                std::uint16_t value = r.u16("property");
                if (value == 0) protocol_error("receive maximum 0");
                set_once(p.receive_maximum, value, id);
                break;
            }
            case PropertyId::topic_alias_maximum:
                set_once(p.topic_alias_maximum, r.u16("property"), id);
                break;
            case PropertyId::topic_alias: {
                std::uint16_t value = r.u16("property");
                if (value == 0) protocol_error("topic alias 0");
                set_once(p.topic_alias, value, id);
                break;
            }
            case PropertyId::maximum_qos:
                set_once(p.maximum_qos, read_flag(r, id), id);
                break;
            case PropertyId::retain_available:
                set_once(p.retain_available, read_flag(r, id), id);
                break;
            case PropertyId::user_property: {
                auto key = read_utf8(r, "user property name");
                auto value = read_utf8(r, "user property value");
                p.user_properties.emplace_back(std::move(key), std::move(value));
                break;
            }
            case PropertyId::maximum_packet_size: {
                std::uint32_t value = r.u32("property");
                if (value == 0) protocol_error("maximum packet size 0");
                set_once(p.maximum_packet_size, value, id);
                break;
            }
            case PropertyId::wildcard_subscription_available:
                set_once(p.wildcard_subscription_available, read_flag(r, id), id);
                break;
            case PropertyId::subscription_identifier_available:
                set_once(p.subscription_identifier_available, read_flag(r, id), id);
                break;
            case PropertyId::shared_subscription_available:
                set_once(p.shared_subscription_available, read_flag(r, id), id);
                break;
        }
    }
    // Spec 3.1.2.11.10, 3.2.2.3.18, 3.15.2.2.3: data means nothing without the method it belongs to.
    if (p.authentication_data && !p.authentication_method)
        protocol_error("authentication data without an authentication method");
}

namespace {

void put_id(std::string& out, PropertyId id) {
    put_u8(out, static_cast<std::uint8_t>(id));
}

void put_u8_property(std::string& out, PropertyId id, const std::optional<std::uint8_t>& v) {
    if (v) put_id(out, id), put_u8(out, *v);
}
void put_u16_property(std::string& out, PropertyId id, const std::optional<std::uint16_t>& v) {
    if (v) put_id(out, id), put_u16(out, *v);
}
void put_u32_property(std::string& out, PropertyId id, const std::optional<std::uint32_t>& v) {
    if (v) put_id(out, id), put_u32(out, *v);
}
void put_string_property(std::string& out, PropertyId id, const std::optional<std::string>& v) {
    if (v) put_id(out, id), put_binary(out, *v);
}

}  // namespace

void write_publish_properties(const Properties& p, const PublishPropertyOverrides& o, std::string& out) {
    thread_local std::string body;
    body.clear();
    put_u8_property(body, PropertyId::payload_format_indicator, p.payload_format_indicator);
    put_u32_property(body, PropertyId::message_expiry_interval,
                     o.message_expiry_interval ? o.message_expiry_interval : p.message_expiry_interval);
    put_string_property(body, PropertyId::content_type, p.content_type);
    put_string_property(body, PropertyId::response_topic, p.response_topic);
    put_string_property(body, PropertyId::correlation_data, p.correlation_data);
    for (auto id : o.subscription_identifiers) {
        put_id(body, PropertyId::subscription_identifier);
        encode_varint(id, body);
    }
    if (o.topic_alias != 0) put_u16_property(body, PropertyId::topic_alias, o.topic_alias);
    for (const auto& [key, value] : p.user_properties) {
        put_id(body, PropertyId::user_property);
        put_binary(body, key);
        put_binary(body, value);
    }
    encode_varint(static_cast<std::uint32_t>(body.size()), out);
    out.append(body);
}

void write_properties(const Properties& p, std::string& out) {
    thread_local std::string body;
    body.clear();
    put_u8_property(body, PropertyId::payload_format_indicator, p.payload_format_indicator);
    put_u32_property(body, PropertyId::message_expiry_interval, p.message_expiry_interval);
    put_string_property(body, PropertyId::content_type, p.content_type);
    put_string_property(body, PropertyId::response_topic, p.response_topic);
    put_string_property(body, PropertyId::correlation_data, p.correlation_data);
    for (auto id : p.subscription_identifiers) {
        put_id(body, PropertyId::subscription_identifier);
        encode_varint(id, body);
    }
    put_u32_property(body, PropertyId::session_expiry_interval, p.session_expiry_interval);
    // CONNACK's properties come in Mosquitto's order (tests/differential compares the bytes): Topic Alias
    // Maximum, Server Keep Alive, Assigned Client Identifier, Authentication Method and Data, Retain
    // Available, Maximum Packet Size, Receive Maximum, Maximum QoS.
    put_u16_property(body, PropertyId::topic_alias_maximum, p.topic_alias_maximum);
    put_u16_property(body, PropertyId::server_keep_alive, p.server_keep_alive);
    put_string_property(body, PropertyId::assigned_client_identifier, p.assigned_client_identifier);
    put_string_property(body, PropertyId::authentication_method, p.authentication_method);
    put_string_property(body, PropertyId::authentication_data, p.authentication_data);
    put_u8_property(body, PropertyId::request_problem_information, p.request_problem_information);
    put_u32_property(body, PropertyId::will_delay_interval, p.will_delay_interval);
    put_u8_property(body, PropertyId::request_response_information, p.request_response_information);
    put_string_property(body, PropertyId::response_information, p.response_information);
    put_string_property(body, PropertyId::server_reference, p.server_reference);
    put_string_property(body, PropertyId::reason_string, p.reason_string);
    put_u8_property(body, PropertyId::retain_available, p.retain_available);
    put_u32_property(body, PropertyId::maximum_packet_size, p.maximum_packet_size);
    put_u16_property(body, PropertyId::receive_maximum, p.receive_maximum);
    put_u16_property(body, PropertyId::topic_alias, p.topic_alias);
    put_u8_property(body, PropertyId::maximum_qos, p.maximum_qos);
    for (const auto& [key, value] : p.user_properties) {
        put_id(body, PropertyId::user_property);
        put_binary(body, key);
        put_binary(body, value);
    }
    put_u8_property(body, PropertyId::wildcard_subscription_available, p.wildcard_subscription_available);
    put_u8_property(body, PropertyId::subscription_identifier_available, p.subscription_identifier_available);
    put_u8_property(body, PropertyId::shared_subscription_available, p.shared_subscription_available);
    encode_varint(static_cast<std::uint32_t>(body.size()), out);
    out.append(body);
}

}  // namespace culex::protocol::wire
