// The hot path's wire shortcuts agree with the project's codec: a templated PUBLISH is what encode() makes of
// the same message, peek_publish() reads what decode() reads, and the 4-byte acks are encode()'s bytes.
#include <gtest/gtest.h>

#include "bench/publish_wire.hpp"
#include "protocol/codec.hpp"

namespace culex::bench {
namespace {

using namespace culex::protocol;

struct Case {
    QoS qos;
    ProtocolVersion version;
};

class PublishWire : public ::testing::TestWithParam<Case> {};

TEST_P(PublishWire, TemplateEqualsTheCodecsEncoding) {
    auto [qos, version] = GetParam();
    PublishTemplate message("culex-bench/abc/p2p/3", 64, qos, version);
    std::string out = "prefix";  // appends, never overwrites
    Stamp stamp{3, 123456789, 987654321};
    message.append(out, 4242, stamp);
    message.append(out, 7, Stamp{3, 1, 2});

    Publish expected;
    expected.topic = "culex-bench/abc/p2p/3";
    std::string payload(64, '\0');
    write_stamp(payload.data(), stamp);
    expected.payload = Payload(payload);
    expected.qos = qos;
    expected.packet_id = qos == QoS::at_most_once ? 0 : 4242;
    std::string wire;
    encode(expected, version, wire);
    ASSERT_EQ(out.substr(0, 6), "prefix");
    EXPECT_EQ(out.substr(6, wire.size()), wire);
    EXPECT_EQ(out.size(), 6 + 2 * message.size());
}

TEST_P(PublishWire, PeekReadsWhatDecodeReads) {
    auto [qos, version] = GetParam();
    Publish publish;
    publish.topic = "a/b";
    publish.payload = Payload(std::string("stamp and payload bytes: 0123456789"));
    publish.qos = qos;
    publish.packet_id = qos == QoS::at_most_once ? 0 : 513;
    publish.dup = qos != QoS::at_most_once;
    if (version == ProtocolVersion::v5) {
        publish.properties.edit().user_properties.push_back({"k", "v"});
        publish.properties.edit().message_expiry_interval = 60;
    }
    std::string wire;
    encode(publish, version, wire);
    auto frame = next_frame(wire);
    ASSERT_TRUE(frame && *frame);
    auto view = peek_publish(**frame, version);
    ASSERT_TRUE(view);
    auto decoded = decode(**frame, version);
    ASSERT_TRUE(decoded);
    const auto& full = std::get<Publish>(*decoded);
    EXPECT_EQ(view->topic, full.topic);
    EXPECT_EQ(view->payload, full.payload.view());
    EXPECT_EQ(view->packet_id, full.packet_id);
    EXPECT_EQ(view->qos, full.qos);
    EXPECT_EQ(view->dup, full.dup);
}

INSTANTIATE_TEST_SUITE_P(AllQosAndVersions, PublishWire,
                         ::testing::Values(Case{QoS::at_most_once, ProtocolVersion::v311},
                                           Case{QoS::at_least_once, ProtocolVersion::v311},
                                           Case{QoS::exactly_once, ProtocolVersion::v311},
                                           Case{QoS::at_most_once, ProtocolVersion::v5},
                                           Case{QoS::at_least_once, ProtocolVersion::v5},
                                           Case{QoS::exactly_once, ProtocolVersion::v5}));

TEST(PeekPublish, RejectsFramesShorterThanTheirLengths) {
    auto peek = [](std::string body, std::uint8_t header, ProtocolVersion version) {
        Frame frame{header, body, body.size() + 2};
        return peek_publish(frame, version);
    };
    EXPECT_FALSE(peek("", 0x30, ProtocolVersion::v311));
    EXPECT_FALSE(peek(std::string("\x00\x05"
                                  "ab",
                                  4),
                      0x30, ProtocolVersion::v311));  // topic runs past the end
    EXPECT_FALSE(peek(std::string("\x00\x01"
                                  "a",
                                  3),
                      0x32, ProtocolVersion::v311));  // no packet id
    EXPECT_FALSE(peek(std::string("\x00\x01"
                                  "a\x05",
                                  4),
                      0x30, ProtocolVersion::v5));  // properties past end
    EXPECT_FALSE(peek(std::string("\x00\x01"
                                  "a",
                                  3),
                      0x36, ProtocolVersion::v311));  // QoS 3
    auto empty_payload = peek(std::string("\x00\x01"
                                          "a",
                                          3),
                              0x30, ProtocolVersion::v311);
    ASSERT_TRUE(empty_payload);
    EXPECT_TRUE(empty_payload->payload.empty());
}

TEST(AppendAck, SameBytesAsTheCodecForBothVersions) {
    for (auto version : {ProtocolVersion::v311, ProtocolVersion::v5}) {
        auto check = [&](PacketType type, Packet packet) {
            std::string mine, codec;
            append_ack(mine, type, 0x1234);
            encode(packet, version, codec);
            EXPECT_EQ(mine, codec) << to_string(type);
        };
        check(PacketType::puback, Puback{0x1234});
        check(PacketType::pubrec, Pubrec{0x1234});
        check(PacketType::pubrel, Pubrel{0x1234});
        check(PacketType::pubcomp, Pubcomp{0x1234});
    }
}

TEST(Stamp, RoundTripsAndIgnoresForeignPayloads) {
    std::string payload(40, 'x');
    write_stamp(payload.data(), Stamp{9, 1ull << 40, -5});
    auto stamp = read_stamp(payload);
    ASSERT_TRUE(stamp);
    EXPECT_EQ(stamp->publisher, 9u);
    EXPECT_EQ(stamp->sequence, 1ull << 40);
    EXPECT_EQ(stamp->sent_ns, -5);
    EXPECT_FALSE(read_stamp(std::string(40, 'x')));
    EXPECT_FALSE(read_stamp(payload.substr(0, kStampSize - 1)));
}

}  // namespace
}  // namespace culex::bench
