// Frame splitting and decoding of every control packet, with the validation the spec puts on the receiver.
#include <fmt/format.h>

#include "protocol/codec.hpp"
#include "protocol/properties_codec.hpp"
#include "protocol/topic.hpp"
#include "protocol/wire.hpp"

namespace culex::protocol {

using wire::malformed;
using wire::protocol_error;
using wire::Reader;

std::expected<std::optional<Frame>, DecodeError> next_frame(std::string_view stream,
                                                            std::uint32_t max_packet_size) {
    if (stream.size() < 2) return std::nullopt;
    std::uint32_t length = 0;
    std::size_t pos = 1;
    for (int shift = 0;; shift += 7) {
        if (shift == 28)
            return std::unexpected(
                DecodeError{ReasonCode::malformed_packet, "remaining length longer than 4 bytes"});
        if (pos >= stream.size()) return std::nullopt;
        auto b = static_cast<std::uint8_t>(stream[pos++]);
        length |= std::uint32_t{b & 0x7Fu} << shift;
        if ((b & 0x80) == 0) break;
    }
    std::size_t total = pos + length;
    if (total > max_packet_size) {
        return std::unexpected(DecodeError{
            ReasonCode::packet_too_large,
            fmt::format("packet of {} bytes is larger than the limit of {} bytes", total, max_packet_size)});
    }
    if (stream.size() < total) return std::nullopt;
    return Frame{static_cast<std::uint8_t>(stream[0]), stream.substr(pos, length), total};
}

namespace {

std::string_view utf8_view(Reader& r, std::string_view what) {
    auto text = r.binary(what);
    if (!is_valid_utf8(text)) malformed(fmt::format("{} is not valid UTF-8", what));
    return text;
}

std::string utf8(Reader& r, std::string_view what) {
    return std::string(utf8_view(r, what));
}

void properties_if_v5(Reader& r, ProtocolVersion version, PacketType type, Properties& into) {
    if (version == ProtocolVersion::v5) wire::read_properties(r, {type}, into);
}

void expect_end(const Reader& r, PacketType type) {
    if (!r.at_end())
        malformed(fmt::format("{} has {} unexpected trailing bytes", to_string(type), r.remaining()));
}

std::uint16_t packet_id(Reader& r, PacketType type) {
    std::uint16_t id = r.u16("packet identifier");
    if (id == 0) protocol_error(fmt::format("{} with packet identifier 0", to_string(type)));
    return id;
}

Connect decode_connect(Reader& r) {
    Connect c;
    auto name = r.binary("protocol name");
    std::uint8_t level = r.u8("protocol level");
    // Mosquitto's bridges set the top bit of 3.1 and 3.1.1 levels (try_private): a bridge, not a client.
    if ((level & 0x80) && (level & 0x7F) != 5) {
        c.bridge = true;
        level &= 0x7F;
    }
    if (name == "MQTT" && (level == 4 || level == 5)) {
        c.version = static_cast<ProtocolVersion>(level);
    } else if (name == "MQIsdp" && level == 3) {
        c.version = ProtocolVersion::v31;
    } else if (name == "MQTT" || name == "MQIsdp") {
        wire::fail(ReasonCode::unsupported_protocol_version,
                   fmt::format("unsupported protocol version {} ({})", level, name));
    } else {
        protocol_error(fmt::format("unknown protocol name '{}'", name));
    }
    std::uint8_t flags = r.u8("connect flags");
    if (flags & 0x01) malformed("CONNECT reserved flag is set");
    c.clean_start = flags & 0x02;
    bool will = flags & 0x04;
    auto will_qos = static_cast<std::uint8_t>((flags >> 3) & 0x03);
    bool will_retain = flags & 0x20;
    bool has_password = flags & 0x40;
    bool has_username = flags & 0x80;
    if (will_qos == 3) malformed("CONNECT will QoS 3");
    if (!will && (will_qos != 0 || will_retain)) malformed("CONNECT will QoS or retain set without a will");
    if (has_password && !has_username && c.version != ProtocolVersion::v5)
        malformed("CONNECT password flag set without a username");
    c.keep_alive = r.u16("keep alive");
    if (c.version == ProtocolVersion::v5) wire::read_properties(r, {PacketType::connect}, c.properties);
    c.client_id = utf8(r, "client identifier");
    if (will) {
        Will w;
        if (c.version == ProtocolVersion::v5)
            wire::read_properties(r, {PacketType::connect, true}, w.properties);
        w.topic = utf8(r, "will topic");
        if (!is_valid_topic_name(w.topic)) protocol_error("will topic is not a valid topic name");
        w.payload = Payload(r.binary("will payload"));
        w.qos = static_cast<QoS>(will_qos);
        w.retain = will_retain;
        c.will = std::move(w);
    }
    if (has_username) c.username = utf8(r, "username");
    if (has_password) c.password = std::string(r.binary("password"));
    expect_end(r, PacketType::connect);
    return c;
}

Connack decode_connack(Reader& r, ProtocolVersion version) {
    Connack c;
    std::uint8_t flags = r.u8("connack flags");
    if (flags & 0xFE) malformed("CONNACK reserved flags are set");
    // MQTT 3.1 has no Session Present flag (its first byte is reserved and unused): never read one from it,
    // as the encoder never writes one.
    c.session_present = (flags & 0x01) && version != ProtocolVersion::v31;
    std::uint8_t code = r.u8("connect return code");
    if (version == ProtocolVersion::v5) {
        c.reason = static_cast<ReasonCode>(code);
        wire::read_properties(r, {PacketType::connack}, c.properties);
    } else {
        static constexpr ReasonCode kFromReturnCode[] = {
            ReasonCode::success,
            ReasonCode::unsupported_protocol_version,
            ReasonCode::client_identifier_not_valid,
            ReasonCode::server_unavailable,
            ReasonCode::bad_username_or_password,
            ReasonCode::not_authorized,
        };
        if (code > 5) malformed(fmt::format("CONNACK return code {} is not defined", code));
        c.reason = kFromReturnCode[code];
    }
    expect_end(r, PacketType::connack);
    return c;
}

// Fills `p`, a fresh Publish, in place: PUBLISH is the hot path, and a Publish is large enough that each
// move of it (into the Packet, then into the result) shows in the profile. With `borrow`, topic and payload
// point into the frame (decode_borrowing).
void decode_publish(Reader& r, std::uint8_t flags, ProtocolVersion version, Publish& p, bool borrow) {
    p.dup = flags & 0x08;
    auto qos = static_cast<std::uint8_t>((flags >> 1) & 0x03);
    if (qos == 3) malformed("PUBLISH with QoS 3");
    p.qos = static_cast<QoS>(qos);
    p.retain = flags & 0x01;
    if (p.qos == QoS::at_most_once && p.dup) malformed("PUBLISH QoS 0 with the DUP flag");
    std::string_view topic = utf8_view(r, "topic name");
    if (borrow)
        p.topic.borrow(topic);
    else
        p.topic = topic;
    if (p.qos != QoS::at_most_once) p.packet_id = packet_id(r, PacketType::publish);
    if (version == ProtocolVersion::v5) {
        Properties properties;
        wire::read_properties(r, {PacketType::publish}, properties);
        p.properties = PropertiesBox(std::move(properties));  // stays empty, allocating nothing, if none came
    }
    if (contains_wildcard(p.topic))
        protocol_error(fmt::format("PUBLISH topic '{}' contains a wildcard", p.topic));
    if (p.topic.empty() && !p.properties->topic_alias) protocol_error("PUBLISH with an empty topic");
    if (borrow)
        p.payload.borrow(r.rest());
    else
        p.payload = Payload(r.rest());
}

template <typename Response>
Response decode_response(Reader& r, ProtocolVersion version) {
    Response resp;
    resp.packet_id = packet_id(r, Response::type);
    if (version == ProtocolVersion::v5 && !r.at_end()) {
        resp.reason = static_cast<ReasonCode>(r.u8("reason code"));
        if (!r.at_end()) wire::read_properties(r, {Response::type}, resp.properties);
    }
    expect_end(r, Response::type);
    return resp;
}

Subscribe decode_subscribe(Reader& r, ProtocolVersion version) {
    Subscribe s;
    s.packet_id = packet_id(r, PacketType::subscribe);
    properties_if_v5(r, version, PacketType::subscribe, s.properties);
    while (!r.at_end()) {
        Subscription sub;
        sub.filter = utf8(r, "topic filter");
        std::uint8_t options = r.u8("subscription options");
        bool v5 = version == ProtocolVersion::v5;
        if (options & (v5 ? 0xC0 : 0xFC)) malformed("SUBSCRIBE options have reserved bits set");
        if ((options & 0x03) == 3) malformed("SUBSCRIBE with QoS 3");
        sub.max_qos = static_cast<QoS>(options & 0x03);
        if (v5) {
            sub.no_local = options & 0x04;
            sub.retain_as_published = options & 0x08;
            auto handling = static_cast<std::uint8_t>((options >> 4) & 0x03);
            if (handling == 3) protocol_error("SUBSCRIBE retain handling 3");
            sub.retain_handling = static_cast<RetainHandling>(handling);
            // A shared subscriber never receives its own messages anyway [MQTT-3.8.3-4].
            if (sub.no_local && parse_shared_filter(sub.filter))
                protocol_error("SUBSCRIBE with No Local on a shared subscription");
        }
        s.subscriptions.push_back(std::move(sub));
    }
    if (s.subscriptions.empty()) protocol_error("SUBSCRIBE with no topic filter");
    return s;
}

Suback decode_suback(Reader& r, ProtocolVersion version) {
    Suback s;
    s.packet_id = packet_id(r, PacketType::suback);
    properties_if_v5(r, version, PacketType::suback, s.properties);
    while (!r.at_end()) {
        std::uint8_t code = r.u8("SUBACK return code");
        // 3.1/3.1.1 define only granted QoS 0-2 and 0x80 Failure (spec 3.9.3); the rest are reserved.
        if (version != ProtocolVersion::v5 && code > 2 && code != 0x80)
            malformed(fmt::format("SUBACK return code 0x{:02X} is reserved", code));
        s.reasons.push_back(static_cast<ReasonCode>(code));
    }
    return s;
}

Unsubscribe decode_unsubscribe(Reader& r, ProtocolVersion version) {
    Unsubscribe u;
    u.packet_id = packet_id(r, PacketType::unsubscribe);
    properties_if_v5(r, version, PacketType::unsubscribe, u.properties);
    while (!r.at_end())
        u.filters.push_back(utf8(r, "topic filter"));
    if (u.filters.empty()) protocol_error("UNSUBSCRIBE with no topic filter");
    return u;
}

Unsuback decode_unsuback(Reader& r, ProtocolVersion version) {
    Unsuback u;
    u.packet_id = packet_id(r, PacketType::unsuback);
    if (version == ProtocolVersion::v5) {
        wire::read_properties(r, {PacketType::unsuback}, u.properties);
        while (!r.at_end())
            u.reasons.push_back(static_cast<ReasonCode>(r.u8("UNSUBACK reason code")));
    }
    expect_end(r, PacketType::unsuback);
    return u;
}

// DISCONNECT and AUTH: MQTT 5 gives both an optional reason code and optional properties.
template <typename T>
T decode_reason_and_properties(Reader& r, ProtocolVersion version, PacketType type) {
    T packet;
    if (version == ProtocolVersion::v5 && !r.at_end()) {
        packet.reason = static_cast<ReasonCode>(r.u8("reason code"));
        if (!r.at_end()) wire::read_properties(r, {type}, packet.properties);
    }
    expect_end(r, type);
    return packet;
}

// Fixed header flags (spec 2.2.2): PUBLISH carries its own; PUBREL, SUBSCRIBE, UNSUBSCRIBE need 0010.
void check_flags(const Frame& frame) {
    auto type = frame.type();
    if (type == PacketType::publish) return;
    std::uint8_t expected =
        (type == PacketType::pubrel || type == PacketType::subscribe || type == PacketType::unsubscribe) ? 2
                                                                                                         : 0;
    if (frame.flags() != expected)
        malformed(fmt::format("{} with fixed header flags {:04b} (must be {:04b})", to_string(type),
                              frame.flags(), expected));
}

Packet decode_packet(const Frame& frame, ProtocolVersion version) {
    std::uint8_t raw_type = frame.header >> 4;
    if (raw_type == 0 || (raw_type == 15 && version != ProtocolVersion::v5))
        malformed(fmt::format("reserved packet type {}", raw_type));
    check_flags(frame);
    Reader r(frame.body);
    switch (frame.type()) {
        case PacketType::connect:
            return decode_connect(r);
        case PacketType::connack:
            return decode_connack(r, version);
        case PacketType::publish: {
            Publish p;
            decode_publish(r, frame.flags(), version, p, false);
            return p;
        }
        case PacketType::puback:
            return decode_response<Puback>(r, version);
        case PacketType::pubrec:
            return decode_response<Pubrec>(r, version);
        case PacketType::pubrel:
            return decode_response<Pubrel>(r, version);
        case PacketType::pubcomp:
            return decode_response<Pubcomp>(r, version);
        case PacketType::subscribe:
            return decode_subscribe(r, version);
        case PacketType::suback:
            return decode_suback(r, version);
        case PacketType::unsubscribe:
            return decode_unsubscribe(r, version);
        case PacketType::unsuback:
            return decode_unsuback(r, version);
        case PacketType::pingreq:
            expect_end(r, PacketType::pingreq);
            return Pingreq{};
        case PacketType::pingresp:
            expect_end(r, PacketType::pingresp);
            return Pingresp{};
        case PacketType::disconnect:
            return decode_reason_and_properties<Disconnect>(r, version, PacketType::disconnect);
        case PacketType::auth:
            return decode_reason_and_properties<Auth>(r, version, PacketType::auth);
    }
    malformed("unknown packet type");
}

}  // namespace

namespace {

// The PUBLISH path of decode(): the Publish is built where the caller receives it, so it is never moved
// (one named result and a single return, for the return value optimisation).
std::expected<Packet, DecodeError> decode_publish_in_place(const Frame& frame, ProtocolVersion version,
                                                           bool borrow) {
    std::expected<Packet, DecodeError> result(std::in_place, std::in_place_type<Publish>);
    try {
        Reader r(frame.body);
        decode_publish(r, frame.flags(), version, std::get<Publish>(*result), borrow);
    } catch (wire::WireError& e) {
        result = std::unexpected(DecodeError{e.code, std::move(e.message)});
    }
    return result;
}

}  // namespace

std::expected<Packet, DecodeError> decode(const Frame& frame, ProtocolVersion version) {
    if (frame.type() == PacketType::publish) return decode_publish_in_place(frame, version, false);
    try {
        return decode_packet(frame, version);
    } catch (wire::WireError& e) {
        return std::unexpected(DecodeError{e.code, std::move(e.message)});
    }
}

std::expected<Packet, DecodeError> decode_borrowing(const Frame& frame, ProtocolVersion version) {
    if (frame.type() == PacketType::publish) return decode_publish_in_place(frame, version, true);
    return decode(frame, version);
}

}  // namespace culex::protocol
