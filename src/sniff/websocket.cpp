#include "sniff/websocket.hpp"

#include <cstdint>

namespace culex::sniff {

namespace {
constexpr std::size_t kMaxHeaders = 64 * 1024;
constexpr std::uint8_t kOpContinuation = 0x0;
constexpr std::uint8_t kOpText = 0x1;
constexpr std::uint8_t kOpBinary = 0x2;
}  // namespace

WebSocketReader::Status WebSocketReader::feed(std::string_view bytes, bool from_client, std::string& mqtt) {
    pending_.append(bytes);
    if (!upgraded_) {
        auto end = pending_.find("\r\n\r\n");
        if (end == std::string::npos) {
            return pending_.size() > kMaxHeaders ? Status::not_websocket : Status::ok;
        }
        std::string_view head(pending_.data(), end);
        bool good = from_client ? head.starts_with("GET ")
                                : (head.starts_with("HTTP/1.1 101") || head.starts_with("HTTP/1.0 101"));
        if (!good) return Status::not_websocket;
        pending_.erase(0, end + 4);
        upgraded_ = true;
    }
    std::size_t used = 0;
    std::string_view in = pending_;
    while (in.size() - used >= 2) {
        auto b0 = static_cast<std::uint8_t>(in[used]);
        auto b1 = static_cast<std::uint8_t>(in[used + 1]);
        std::uint8_t opcode = b0 & 0x0F;
        bool masked = b1 & 0x80;
        std::uint64_t length = b1 & 0x7F;
        std::size_t header = 2;
        if (length == 126) {
            if (in.size() - used < 4) break;
            length = (static_cast<std::uint8_t>(in[used + 2]) << 8) | static_cast<std::uint8_t>(in[used + 3]);
            header = 4;
        } else if (length == 127) {
            if (in.size() - used < 10) break;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | static_cast<std::uint8_t>(in[used + 2 + i]);
            header = 10;
        }
        if (length > (std::uint64_t{1} << 31)) return Status::not_websocket;
        std::size_t mask_at = used + header;
        if (masked) header += 4;
        if (in.size() - used < header + length) break;
        if (opcode == kOpContinuation || opcode == kOpText || opcode == kOpBinary) {
            auto payload = in.substr(used + header, length);
            if (masked) {
                for (std::size_t i = 0; i < payload.size(); ++i) {
                    mqtt.push_back(static_cast<char>(payload[i] ^ in[mask_at + (i % 4)]));
                }
            } else {
                mqtt.append(payload);
            }
        }
        used += header + length;
    }
    pending_.erase(0, used);
    return Status::ok;
}

}  // namespace culex::sniff
