// libFuzzer target for the MQTT codec: the input is a byte stream as a peer could send it. For each
// protocol version it is split with next_frame and each frame decoded; whatever decodes is encoded again,
// and that encoding must split into exactly one frame that decodes to the same packet and encodes to the
// same bytes; the broker's borrowing decoder must agree with it. Any crash, sanitizer report or broken
// invariant is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/codec.hpp"
#include "protocol/topic.hpp"

namespace {

using namespace culex::protocol;

[[noreturn]] void fail(const char* what, ProtocolVersion version) {
    std::fprintf(stderr, "codec_fuzz: %s (version %d)\n", what, static_cast<int>(version));
    std::abort();
}

void check_error(const DecodeError& error, ProtocolVersion version) {
    // Every rejection must carry an error reason code and a text the log can show.
    if (!is_error(error.code)) fail("decode error with a non-error reason code", version);
    if (error.message.empty()) fail("decode error without a message", version);
}

// The topic rules must agree with what the decoder let through, and must not crash on anything valid.
void check_topics(const Packet& packet, ProtocolVersion version) {
    if (const auto* publish = std::get_if<Publish>(&packet)) {
        if (!publish->topic.empty() && !is_valid_topic_name(publish->topic))
            fail("decoded PUBLISH topic is not a valid topic name", version);
        if (!publish->topic.empty() && !topic_matches("#", publish->topic) &&
            publish->topic.view().front() != '$')
            fail("'#' does not match a topic not starting with '$'", version);
        if (!publish->topic.empty() && !topic_matches(publish->topic, publish->topic))
            fail("a topic name does not match itself as a filter", version);
    }
    if (const auto* subscribe = std::get_if<Subscribe>(&packet)) {
        for (const auto& sub : subscribe->subscriptions) {
            if (!is_valid_topic_filter(sub.filter)) continue;
            auto shared = parse_shared_filter(sub.filter);
            std::string_view filter = shared ? shared->filter : std::string_view(sub.filter);
            (void)topic_matches(filter, "sport/tennis/player1");
            (void)topic_matches(filter, "$SYS/broker/load");
        }
    }
}

void round_trip(const Packet& packet, ProtocolVersion version) {
    std::string first;
    encode(packet, version, first);
    auto frame = next_frame(first);
    if (!frame) fail("next_frame rejects an encoded packet", version);
    if (!*frame) fail("next_frame wants more bytes of a whole encoded packet", version);
    if ((*frame)->size != first.size()) fail("encoded packet is not exactly one frame", version);
    auto again = decode(**frame, version);
    if (!again) {
        std::fprintf(stderr, "codec_fuzz: re-decode failed: %s\n", again.error().message.c_str());
        fail("an encoded packet does not decode", version);
    }
    if (*again != packet) fail("re-decoded packet differs from the decoded one", version);
    std::string second;
    encode(*again, version, second);
    if (second != first) fail("encoding is not stable across a round trip", version);
}

void run(std::string_view stream, ProtocolVersion version, std::uint32_t max_packet_size) {
    while (!stream.empty()) {
        auto frame = next_frame(stream, max_packet_size);
        if (!frame) {
            check_error(frame.error(), version);
            return;
        }
        if (!*frame) return;  // a partial packet: a connection would wait for more bytes
        const Frame& f = **frame;
        if (f.size == 0 || f.size > stream.size() || f.size > max_packet_size || f.body.size() >= f.size)
            fail("next_frame returned an inconsistent frame", version);
        auto packet = decode(f, version);
        // The broker's decoder (topic and payload borrowed from the frame) must accept, refuse and decode
        // exactly as the owning one.
        auto borrowed = decode_borrowing(f, version);
        if (packet.has_value() != borrowed.has_value())
            fail("decode_borrowing disagrees with decode", version);
        if (packet && *packet != *borrowed) fail("decode_borrowing decodes another packet", version);
        if (!packet && packet.error().code != borrowed.error().code)
            fail("decode_borrowing refuses with another reason", version);
        if (packet) {
            check_topics(*packet, version);
            round_trip(*packet, version);
        } else {
            check_error(packet.error(), version);
        }
        stream.remove_prefix(f.size);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view stream(reinterpret_cast<const char*>(data), size);
    for (auto version : {ProtocolVersion::v31, ProtocolVersion::v311, ProtocolVersion::v5}) {
        run(stream, version, kMaxRemainingLength + 5);
    }
    // A small limit, as a broker with max_packet_size set would use, to exercise the early rejection.
    run(stream, ProtocolVersion::v5, 64);
    return 0;
}
