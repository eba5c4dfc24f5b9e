// Test helpers that build MQTT bytes by hand, independently of the encoder under test, and run bytes
// through next_frame + decode the way a connection does.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/codec.hpp"

namespace culex::protocol::test {

inline std::string u8(std::uint8_t v) {
    return std::string(1, static_cast<char>(v));
}
inline std::string u16(std::uint16_t v) {
    return u8(static_cast<std::uint8_t>(v >> 8)) + u8(static_cast<std::uint8_t>(v & 0xFF));
}
inline std::string u32(std::uint32_t v) {
    return u16(static_cast<std::uint16_t>(v >> 16)) + u16(static_cast<std::uint16_t>(v & 0xFFFF));
}
// A UTF-8 string or binary data: two-byte length, then the bytes.
inline std::string str(std::string_view s) {
    return u16(static_cast<std::uint16_t>(s.size())) + std::string(s);
}
inline std::string varint(std::uint32_t v) {
    std::string out;
    do {
        auto b = static_cast<std::uint8_t>(v & 0x7F);
        v >>= 7;
        out += u8(v ? (b | 0x80) : b);
    } while (v);
    return out;
}
// An MQTT 5 property list: its length, then the properties.
inline std::string props(std::string_view list) {
    return varint(static_cast<std::uint32_t>(list.size())) + std::string(list);
}
// A whole packet: fixed header byte, remaining length, body.
inline std::string packet(std::uint8_t header, std::string_view body) {
    return u8(header) + varint(static_cast<std::uint32_t>(body.size())) + std::string(body);
}

// The variable header of a CONNECT up to and including keep alive.
inline std::string connect_header(ProtocolVersion version, std::uint8_t flags) {
    std::string name = version == ProtocolVersion::v31 ? "MQIsdp" : "MQTT";
    return str(name) + u8(static_cast<std::uint8_t>(version)) + u8(flags) + u16(60);
}

// next_frame then decode, requiring next_frame to see exactly one whole packet.
inline std::expected<Packet, DecodeError> decode_bytes(std::string_view bytes, ProtocolVersion version) {
    auto frame = next_frame(bytes);
    if (!frame) return std::unexpected(frame.error());
    EXPECT_TRUE(frame->has_value()) << "next_frame wants more bytes";
    if (!frame->has_value()) return std::unexpected(DecodeError{ReasonCode::malformed_packet, "incomplete"});
    EXPECT_EQ((*frame)->size, bytes.size()) << "bytes are not exactly one packet";
    return decode(**frame, version);
}

inline std::string encoded(const Packet& p, ProtocolVersion version) {
    std::string out;
    encode(p, version, out);
    return out;
}

inline std::string hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : bytes) {
        if (!out.empty()) out += ' ';
        out += kDigits[c >> 4];
        out += kDigits[c & 0x0F];
    }
    return out;
}

}  // namespace culex::protocol::test
