// libFuzzer target for sniff's WebSocket reader (src/sniff/websocket). The first input byte picks a mode:
// - bit 0 clear: the rest is one direction of a capture (bit 1: from the client). Fed whole and fed in
//   fuzzer-chosen chunks, it must give the same MQTT bytes and the same verdict, and never more bytes than
//   went in.
// - bit 0 set: the rest is a list of MQTT byte strings (each a length byte and its bytes), which this target
//   frames itself as RFC 6455 says (masked or not, 7-, 16- or 64-bit lengths, split into continuation
//   frames, control frames between them) behind an upgrade; the reader must give back exactly those bytes.
#include <cstdint>
#include <string>
#include <string_view>

#include "invariant.hpp"
#include "sniff/websocket.hpp"

namespace {

using culex::fuzz::check;
using culex::sniff::WebSocketReader;

constexpr const char* kTarget = "websocket_fuzz";

struct Outcome {
    bool websocket = true;
    std::string mqtt;
};

Outcome read_all(std::string_view stream, bool from_client, std::string_view chunk_seed, bool whole) {
    WebSocketReader reader;
    Outcome out;
    if (whole) {
        out.websocket = reader.feed(stream, from_client, out.mqtt) == WebSocketReader::Status::ok;
        return out;
    }
    for (auto piece : culex::fuzz::chunks(stream, chunk_seed)) {
        if (reader.feed(piece, from_client, out.mqtt) != WebSocketReader::Status::ok) {
            out.websocket = false;
            break;
        }
    }
    return out;
}

void append_frame(std::string& out, std::uint8_t opcode, bool fin, std::string_view payload,
                  std::uint8_t style) {
    out += static_cast<char>((fin ? 0x80 : 0) | opcode);
    bool masked = style & 1;
    std::uint8_t mask_bit = masked ? 0x80 : 0;
    int width = (style >> 1) % 3;  // 0: shortest form, 1: 16-bit, 2: 64-bit (both allowed for any size)
    if (width == 0 && payload.size() >= 126) width = payload.size() > 0xFFFF ? 2 : 1;
    if (width == 0) {
        out += static_cast<char>(mask_bit | payload.size());
    } else if (width == 1) {
        out += static_cast<char>(mask_bit | 126);
        out += static_cast<char>(payload.size() >> 8);
        out += static_cast<char>(payload.size() & 0xFF);
    } else {
        out += static_cast<char>(mask_bit | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            out += static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> shift) & 0xFF);
    }
    if (!masked) {
        out.append(payload);
        return;
    }
    const char mask[4] = {static_cast<char>(style), static_cast<char>(0x5A), static_cast<char>(style * 7),
                          static_cast<char>(0xC3)};
    out.append(mask, 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        out += static_cast<char>(payload[i] ^ mask[i % 4]);
}

void round_trip(std::string_view input) {
    std::string expected;
    std::string wire = "GET /mqtt HTTP/1.1\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n";
    while (input.size() >= 2) {
        std::uint8_t style = static_cast<std::uint8_t>(input[0]);
        std::size_t length = static_cast<std::uint8_t>(input[1]);
        input.remove_prefix(2);
        auto message = input.substr(0, length);
        input.remove_prefix(message.size());
        expected.append(message);
        // Split into a first frame and continuations where the style says so.
        std::size_t split = style & 0x40 ? message.size() / 2 : message.size();
        bool binary = !(style & 0x20);
        append_frame(wire, binary ? 0x2 : 0x1, split == message.size(), message.substr(0, split), style);
        if (style & 0x10) append_frame(wire, 0x9, true, "ping", style >> 1);  // control frames carry no MQTT
        if (split != message.size()) append_frame(wire, 0x0, true, message.substr(split), style >> 2);
    }
    WebSocketReader reader;
    std::string mqtt;
    check(reader.feed(wire, true, mqtt) == WebSocketReader::Status::ok, kTarget,
          "well-formed frames are not taken for WebSocket");
    check(mqtt == expected, kTarget, "the MQTT bytes read are not the ones framed");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
    std::uint8_t mode = data[0];
    if (mode & 1) {
        round_trip(input);
        return 0;
    }
    bool from_client = mode & 2;
    auto whole = read_all(input, from_client, {}, true);
    auto chunked = read_all(input, from_client, input.substr(0, 8), false);
    check(whole.websocket == chunked.websocket, kTarget, "the verdict depends on how the bytes arrive");
    check(whole.mqtt == chunked.mqtt, kTarget, "the MQTT bytes depend on how the bytes arrive");
    check(whole.mqtt.size() <= input.size(), kTarget, "more MQTT bytes than bytes captured");
    return 0;
}
