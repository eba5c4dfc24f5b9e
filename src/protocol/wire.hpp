// Internal to the codec: reading and writing MQTT's primitive data types (spec 1.5). Reader throws
// WireError on malformed input; decode() turns that into a DecodeError value at the module boundary.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/reason_codes.hpp"

namespace culex::protocol::wire {

struct WireError {
    ReasonCode code;
    std::string message;
};

[[noreturn]] inline void fail(ReasonCode code, std::string message) {
    throw WireError{code, std::move(message)};
}
[[noreturn]] inline void malformed(std::string message) {
    fail(ReasonCode::malformed_packet, std::move(message));
}
[[noreturn]] inline void protocol_error(std::string message) {
    fail(ReasonCode::protocol_error, std::move(message));
}

class Reader {
  public:
    explicit Reader(std::string_view bytes) : bytes_(bytes) {}

    std::size_t remaining() const { return bytes_.size() - pos_; }
    bool at_end() const { return pos_ == bytes_.size(); }

    std::uint8_t u8(std::string_view what) {
        need(1, what);
        return static_cast<std::uint8_t>(bytes_[pos_++]);
    }
    std::uint16_t u16(std::string_view what) {
        need(2, what);
        auto value = static_cast<std::uint16_t>((byte(pos_) << 8) | byte(pos_ + 1));
        pos_ += 2;
        return value;
    }
    std::uint32_t u32(std::string_view what) {
        need(4, what);
        std::uint32_t value = (std::uint32_t{byte(pos_)} << 24) | (std::uint32_t{byte(pos_ + 1)} << 16) |
                              (std::uint32_t{byte(pos_ + 2)} << 8) | byte(pos_ + 3);
        pos_ += 4;
        return value;
    }
    std::uint32_t varint(std::string_view what) {
        std::uint32_t value = 0;
        for (int shift = 0; shift < 28; shift += 7) {
            std::uint8_t b = u8(what);
            value |= std::uint32_t{b & 0x7Fu} << shift;
            if ((b & 0x80) == 0) return value;
        }
        malformed(std::string(what) + ": variable byte integer longer than 4 bytes");
    }
    // Two-byte length then that many bytes.
    std::string_view binary(std::string_view what) {
        std::uint16_t length = u16(what);
        return take(length, what);
    }
    std::string_view take(std::size_t length, std::string_view what) {
        need(length, what);
        auto view = bytes_.substr(pos_, length);
        pos_ += length;
        return view;
    }
    std::string_view rest() {
        auto view = bytes_.substr(pos_);
        pos_ = bytes_.size();
        return view;
    }

  private:
    std::uint8_t byte(std::size_t i) const { return static_cast<std::uint8_t>(bytes_[i]); }
    void need(std::size_t n, std::string_view what) const {
        if (remaining() < n) malformed(std::string(what) + ": packet ends early");
    }

    std::string_view bytes_;
    std::size_t pos_ = 0;
};

inline void put_u8(std::string& out, std::uint8_t v) {
    out.push_back(static_cast<char>(v));
}
inline void put_u16(std::string& out, std::uint16_t v) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v & 0xFF));
}
inline void put_u32(std::string& out, std::uint32_t v) {
    put_u16(out, static_cast<std::uint16_t>(v >> 16));
    put_u16(out, static_cast<std::uint16_t>(v & 0xFFFF));
}
inline void put_binary(std::string& out, std::string_view bytes) {
    put_u16(out, static_cast<std::uint16_t>(bytes.size()));
    out.append(bytes);
}
inline std::size_t varint_size(std::uint32_t v) {
    return v < 128 ? 1 : v < 16384 ? 2 : v < 2097152 ? 3 : 4;
}

}  // namespace culex::protocol::wire
