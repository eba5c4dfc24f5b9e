// Encoding of every control packet. The body is built in a per-thread scratch buffer so that encoding
// allocates nothing once the buffers have grown; the caller's `out` collects a loop turn's packets.
#include "protocol/codec.hpp"
#include "protocol/properties_codec.hpp"
#include "protocol/wire.hpp"

namespace culex::protocol {

using namespace wire;

void encode_varint(std::uint32_t value, std::string& out) {
    do {
        auto b = static_cast<std::uint8_t>(value & 0x7F);
        value >>= 7;
        if (value) b |= 0x80;
        out.push_back(static_cast<char>(b));
    } while (value);
}

namespace {

bool is_v5(ProtocolVersion v) {
    return v == ProtocolVersion::v5;
}

void finish(std::uint8_t header, const std::string& body, std::string& out) {
    out.push_back(static_cast<char>(header));
    encode_varint(static_cast<std::uint32_t>(body.size()), out);
    out.append(body);
}

std::uint8_t header_of(PacketType type, std::uint8_t flags = 0) {
    return static_cast<std::uint8_t>((static_cast<unsigned>(type) << 4) | flags);
}

void body_of(const Connect& c, ProtocolVersion, std::string& b) {
    // The CONNECT carries its own version, whatever the connection's was.
    if (c.version == ProtocolVersion::v31) {
        put_binary(b, "MQIsdp");
    } else {
        put_binary(b, "MQTT");
    }
    const bool bridge_bit = c.bridge && c.version != ProtocolVersion::v5;
    put_u8(b, static_cast<std::uint8_t>(static_cast<unsigned>(c.version) | (bridge_bit ? 0x80u : 0u)));
    std::uint8_t flags = 0;
    if (c.clean_start) flags |= 0x02;
    if (c.will) {
        flags |= 0x04;
        flags |= static_cast<std::uint8_t>(static_cast<unsigned>(c.will->qos) << 3);
        if (c.will->retain) flags |= 0x20;
    }
    if (c.password) flags |= 0x40;
    if (c.username) flags |= 0x80;
    put_u8(b, flags);
    put_u16(b, c.keep_alive);
    if (is_v5(c.version)) write_properties(c.properties, b);
    put_binary(b, c.client_id);
    if (c.will) {
        if (is_v5(c.version)) write_properties(c.will->properties, b);
        put_binary(b, c.will->topic);
        put_binary(b, c.will->payload.view());
    }
    if (c.username) put_binary(b, *c.username);
    if (c.password) put_binary(b, *c.password);
}

void body_of(const Connack& c, ProtocolVersion v, std::string& b) {
    // MQTT 3.1 has no Session Present flag: the byte is reserved.
    put_u8(b, c.session_present && v != ProtocolVersion::v31 ? 1 : 0);
    if (is_v5(v)) {
        put_u8(b, static_cast<std::uint8_t>(c.reason));
        write_properties(c.properties, b);
    } else {
        put_u8(b, static_cast<std::uint8_t>(to_connect_return_code(c.reason)));
    }
}

template <PacketType Type>
void body_of(const PublishResponse<Type>& r, ProtocolVersion v, std::string& b) {
    put_u16(b, r.packet_id);
    if (!is_v5(v)) return;
    bool has_properties = r.properties != Properties{};
    // MQTT 5 lets a success without properties be just the packet id (spec 3.4.2.1).
    if (r.reason == ReasonCode::success && !has_properties) return;
    put_u8(b, static_cast<std::uint8_t>(r.reason));
    if (has_properties) write_properties(r.properties, b);
}

void body_of(const Subscribe& s, ProtocolVersion v, std::string& b) {
    put_u16(b, s.packet_id);
    if (is_v5(v)) write_properties(s.properties, b);
    for (const auto& sub : s.subscriptions) {
        put_binary(b, sub.filter);
        auto options = static_cast<std::uint8_t>(sub.max_qos);
        if (is_v5(v)) {
            if (sub.no_local) options |= 0x04;
            if (sub.retain_as_published) options |= 0x08;
            options |= static_cast<std::uint8_t>(static_cast<unsigned>(sub.retain_handling) << 4);
        }
        put_u8(b, options);
    }
}

void body_of(const Suback& s, ProtocolVersion v, std::string& b) {
    put_u16(b, s.packet_id);
    if (is_v5(v)) write_properties(s.properties, b);
    for (auto reason : s.reasons) {
        // 3.1.1 knows only granted QoS 0-2 and 0x80 Failure.
        auto code = static_cast<std::uint8_t>(reason);
        if (!is_v5(v) && code > 2) code = 0x80;
        put_u8(b, code);
    }
}

void body_of(const Unsubscribe& u, ProtocolVersion v, std::string& b) {
    put_u16(b, u.packet_id);
    if (is_v5(v)) write_properties(u.properties, b);
    for (const auto& filter : u.filters)
        put_binary(b, filter);
}

void body_of(const Unsuback& u, ProtocolVersion v, std::string& b) {
    put_u16(b, u.packet_id);
    if (!is_v5(v)) return;
    write_properties(u.properties, b);
    for (auto reason : u.reasons)
        put_u8(b, static_cast<std::uint8_t>(reason));
}

void body_of(const Pingreq&, ProtocolVersion, std::string&) {}
void body_of(const Pingresp&, ProtocolVersion, std::string&) {}

template <typename T>
void reason_and_properties(const T& packet, ProtocolVersion v, std::string& b) {
    if (!is_v5(v)) return;
    bool has_properties = packet.properties != Properties{};
    if (packet.reason == ReasonCode::success && !has_properties) return;
    put_u8(b, static_cast<std::uint8_t>(packet.reason));
    if (has_properties) write_properties(packet.properties, b);
}
void body_of(const Disconnect& d, ProtocolVersion v, std::string& b) {
    reason_and_properties(d, v, b);
}
void body_of(const Auth& a, ProtocolVersion v, std::string& b) {
    reason_and_properties(a, v, b);
}

std::uint8_t flags_of(PacketType type) {
    return (type == PacketType::pubrel || type == PacketType::subscribe || type == PacketType::unsubscribe)
               ? 2
               : 0;
}

}  // namespace

void encode(const Publish& p, ProtocolVersion version, std::string& out) {
    thread_local std::string properties;
    properties.clear();
    if (is_v5(version)) write_properties(*p.properties, properties);
    bool has_id = p.qos != QoS::at_most_once;
    std::size_t length = 2 + p.topic.size() + (has_id ? 2 : 0) + properties.size() + p.payload.size();
    std::uint8_t flags = static_cast<std::uint8_t>(static_cast<unsigned>(p.qos) << 1);
    if (p.dup) flags |= 0x08;
    if (p.retain) flags |= 0x01;
    out.push_back(static_cast<char>(header_of(PacketType::publish, flags)));
    encode_varint(static_cast<std::uint32_t>(length), out);
    put_binary(out, p.topic);
    if (has_id) put_u16(out, p.packet_id);
    out.append(properties);
    out.append(p.payload.view());
}

DeliveryHeader encode_delivery_header(const Publish& p, const DeliveryFields& d, ProtocolVersion version,
                                      std::string& out) {
    thread_local std::string properties;
    properties.clear();
    if (is_v5(version))
        write_publish_properties(*p.properties,
                                 {d.subscription_identifiers, d.message_expiry_interval, d.topic_alias},
                                 properties);
    bool has_id = d.qos != QoS::at_most_once;
    std::string_view topic =
        d.omit_topic ? std::string_view() : std::string_view(p.topic).substr(d.topic_skip);
    std::size_t length = 2 + topic.size() + (has_id ? 2 : 0) + properties.size() + p.payload.size();
    std::uint8_t flags = static_cast<std::uint8_t>(static_cast<unsigned>(d.qos) << 1);
    if (d.dup) flags |= 0x08;
    if (d.retain) flags |= 0x01;
    std::size_t start = out.size();
    out.push_back(static_cast<char>(header_of(PacketType::publish, flags)));
    encode_varint(static_cast<std::uint32_t>(length), out);
    put_binary(out, topic);
    DeliveryHeader header;
    if (has_id) {
        header.packet_id_at = out.size() - start;
        put_u16(out, d.packet_id);
    }
    out.append(properties);
    header.size = out.size() - start;
    header.packet_size = header.size + p.payload.size();
    return header;
}

std::size_t encode_delivery(const Publish& p, const DeliveryFields& d, ProtocolVersion version,
                            std::string& out) {
    std::size_t size = encode_delivery_header(p, d, version, out).packet_size;
    out.append(p.payload.view());
    return size;
}

void encode(const Packet& packet, ProtocolVersion version, std::string& out) {
    if (const auto* publish = std::get_if<Publish>(&packet)) return encode(*publish, version, out);
    thread_local std::string body;
    body.clear();
    std::visit(
        [&](const auto& p) {
            if constexpr (!std::is_same_v<std::decay_t<decltype(p)>, Publish>) body_of(p, version, body);
        },
        packet);
    auto type = type_of(packet);
    finish(header_of(type, flags_of(type)), body, out);
}

}  // namespace culex::protocol
