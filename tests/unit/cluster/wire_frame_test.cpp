// The frame a message crosses nodes in (src/cluster/wire_frame.*): what is written reads back the same, MQTT
// 5 properties included, and what is short or corrupt is refused with a reason, never read past its end.
#include "cluster/wire_frame.hpp"

#include <gtest/gtest.h>

#include <string>

namespace culex::cluster {
namespace {

using protocol::Publish;
using protocol::QoS;

Publish message(std::string payload, QoS qos = QoS::at_most_once, bool retain = false) {
    Publish publish;
    publish.topic = "a/b";
    publish.payload = protocol::Payload(std::move(payload));
    publish.qos = qos;
    publish.retain = retain;
    return publish;
}

Publish round_trip(const Publish& sent, std::string_view origin = {}, std::uint64_t sequence = 0,
                   std::string_view served = {}) {
    std::string bytes;
    write_frame(sent, origin, sequence, served, bytes);
    auto frame = read_frame(bytes);
    EXPECT_TRUE(frame.has_value()) << frame.error();
    if (!frame) return {};
    EXPECT_EQ(frame->origin, origin);
    EXPECT_EQ(frame->sequence, sequence);
    EXPECT_EQ(frame->served, served);
    auto read = publish_from_frame(*frame, sent.topic.str());
    EXPECT_TRUE(read.has_value()) << read.error();
    return read ? *read : Publish{};
}

TEST(WireFrame, PlainMessageRoundTrips) {
    Publish sent = message("hello", QoS::at_least_once, true);
    EXPECT_EQ(round_trip(sent, "node1:00ff:0", 42), sent);
}

TEST(WireFrame, EmptyPayloadRoundTrips) {
    Publish sent = message("", QoS::exactly_once);
    EXPECT_EQ(round_trip(sent), sent);
}

TEST(WireFrame, LargePayloadRoundTrips) {
    std::string large(3 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < large.size(); ++i)
        large[i] = static_cast<char>(i * 7);
    Publish sent = message(large);
    EXPECT_EQ(round_trip(sent, "n:1:0", 1ULL << 63), sent);
}

TEST(WireFrame, Mqtt5PropertiesRoundTrip) {
    Publish sent = message("payload \x01\xff with bytes", QoS::at_least_once);
    auto& p = sent.properties.edit();
    p.message_expiry_interval = 3600;
    p.content_type = "application/json";
    p.response_topic = "replies/1";
    p.correlation_data = std::string("\x00\x01\x02", 3);
    p.payload_format_indicator = 1;
    p.user_properties = {{"k", "v"}, {"k", "second"}, {"", ""}};
    Publish read = round_trip(sent, "n:1:0", 7, "culex.G1 culex.G2");
    EXPECT_EQ(read, sent);
    EXPECT_EQ(read.properties->user_properties.size(), 3u);
}

TEST(WireFrame, ShortFramesAreRefused) {
    Publish sent = message("x");
    sent.properties.edit().content_type = "text/plain";
    std::string bytes;
    write_frame(sent, "node:1:0", 300, "culex.G", bytes);
    // Every prefix that cuts a field short is refused; the ones that only shorten the payload read as such.
    std::size_t refused = 0;
    for (std::size_t size = 0; size < bytes.size(); ++size) {
        auto frame = read_frame(std::string_view(bytes).substr(0, size));
        if (!frame) {
            EXPECT_FALSE(frame.error().empty());
            ++refused;
        } else {
            EXPECT_LT(frame->payload.size(), 1u);
        }
    }
    EXPECT_EQ(refused, bytes.size() - 1);
}

TEST(WireFrame, CorruptFramesAreRefusedWithAReason) {
    std::string bytes;
    write_frame(message("x"), {}, 0, {}, bytes);
    std::string wrong_version = bytes;
    wrong_version[0] = 'x';
    auto frame = read_frame(wrong_version);
    ASSERT_FALSE(frame);
    EXPECT_NE(frame.error().find("version"), std::string::npos) << frame.error();

    std::string qos3 = bytes;
    qos3[1] = 0x03;
    EXPECT_FALSE(read_frame(qos3));
    std::string unknown_flag = bytes;
    unknown_flag[1] = static_cast<char>(0x40);
    EXPECT_FALSE(read_frame(unknown_flag));

    // An origin length past the end of the frame.
    std::string long_origin = {static_cast<char>(kFrameVersion), 0x08, static_cast<char>(0xFF), 0x7F, 'a'};
    EXPECT_FALSE(read_frame(long_origin));
    // A varint longer than 64 bits.
    std::string endless = {static_cast<char>(kFrameVersion), 0x08};
    endless.append(11, static_cast<char>(0xFF));
    EXPECT_FALSE(read_frame(endless));
}

TEST(WireFrame, PropertiesThatDoNotDecodeAreRefused) {
    Publish sent = message("x");
    sent.properties.edit().content_type = "text/plain";
    std::string bytes;
    write_frame(sent, {}, 0, {}, bytes);
    // Byte 2 is the properties' length, byte 3 the carrier packet's first byte: make it a PUBACK's.
    bytes[3] = 0x40;
    auto frame = read_frame(bytes);
    ASSERT_TRUE(frame);
    auto read = publish_from_frame(*frame, "a/b");
    ASSERT_FALSE(read);
    EXPECT_NE(read.error().find("properties"), std::string::npos) << read.error();
}

}  // namespace
}  // namespace culex::cluster
