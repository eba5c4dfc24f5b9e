// Analysis of reassembled streams: MQTT packets that span segments or share one, client ids remembered,
// credentials found, garbage reported and skipped, MQTT over WebSocket.
#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include "protocol/codec.hpp"
#include "recording_sink.hpp"
#include "sniff/analyzer.hpp"
#include "tcp_fixture.hpp"

namespace culex::sniff {
namespace {

using namespace culex::protocol;
using testing::RecordingSink;
using testing::TcpConversation;

std::string encoded(const Packet& packet, ProtocolVersion version = ProtocolVersion::v311) {
    std::string out;
    encode(packet, version, out);
    return out;
}

Connect connect_packet(std::string client_id, ProtocolVersion version = ProtocolVersion::v311) {
    Connect c;
    c.version = version;
    c.client_id = std::move(client_id);
    return c;
}

Publish publish_packet(std::string topic, std::string payload, QoS qos = QoS::at_most_once,
                       std::uint16_t id = 0) {
    Publish p;
    p.topic = std::move(topic);
    p.payload = Payload(std::move(payload));
    p.qos = qos;
    p.packet_id = id;
    return p;
}

// Feeds one direction's stream and the other's, cut into segments of the sizes given, through reassembly.
struct AnalyzerTest : ::testing::Test {
    RecordingSink sink;
    Analyzer analyzer{sink, AnalyzerOptions{}};
    Reassembler reassembler{analyzer, {1883, 8080, 8883}};
    TcpConversation tcp;
    std::uint32_t offsets[2] = {0, 0};
    std::int64_t clock = 1'700'000'000'000'000;

    void start() {
        for (const auto& frame : tcp.handshake())
            feed(frame);
    }
    void feed(const std::string& frame) { reassembler.feed(DLT_EN10MB, frame, Micros(clock++)); }
    void send(bool from_client, std::string_view bytes, std::size_t segment = 1460) {
        for (std::size_t at = 0; at < bytes.size(); at += segment) {
            auto part = bytes.substr(at, segment);
            feed(tcp.data(from_client, offsets[from_client ? 0 : 1], part));
            offsets[from_client ? 0 : 1] += static_cast<std::uint32_t>(part.size());
        }
    }
};

TEST_F(AnalyzerTest, PacketSpanningSegmentsIsDecodedOnce) {
    start();
    send(true, encoded(connect_packet("sensor-7")));
    send(true, encoded(publish_packet("cheese/strudel", std::string(3000, 'h'), QoS::at_least_once, 17)),
         700);
    auto publishes = sink.packets_of<Publish>();
    ASSERT_EQ(publishes.size(), 1u);
    EXPECT_EQ(publishes[0].topic, "cheese/strudel");
    EXPECT_EQ(publishes[0].payload.size(), 3000u);
    EXPECT_EQ(publishes[0].packet_id, 17);
    EXPECT_EQ(sink.packets.back().client_id, "sensor-7");
}

TEST_F(AnalyzerTest, PacketsSplitAtEveryByteAndSeveralPerSegment) {
    start();
    std::string stream = encoded(connect_packet("c"));
    for (int i = 0; i < 5; ++i)
        stream += encoded(publish_packet("t/" + std::to_string(i), "p"));
    send(true, stream, 1);  // one byte per segment
    std::string response = encoded(Connack{}) + encoded(Pingresp{}) + encoded(Pingresp{});
    send(false, response);  // three packets in one segment
    EXPECT_EQ(sink.packets_of<Publish>().size(), 5u);
    EXPECT_EQ(sink.packets_of<Publish>()[4].topic, "t/4");
    EXPECT_EQ(sink.packets_of<Connack>().size(), 1u);
    EXPECT_EQ(sink.packets_of<Pingresp>().size(), 2u);
    EXPECT_EQ(sink.packets.back().direction, Direction::to_client);
}

TEST_F(AnalyzerTest, ReorderedSegmentsOfAPacketStillDecode) {
    start();
    std::string bytes = encoded(connect_packet("c")) + encoded(publish_packet("a/b", "reordered"));
    std::size_t half = bytes.size() / 2;
    feed(tcp.data(true, static_cast<std::uint32_t>(half), bytes.substr(half)));
    EXPECT_TRUE(sink.packets.empty());
    feed(tcp.data(true, 0, bytes.substr(0, half)));
    ASSERT_EQ(sink.packets_of<Publish>().size(), 1u);
    EXPECT_EQ(sink.packets_of<Publish>()[0].payload.view(), "reordered");
}

TEST_F(AnalyzerTest, CredentialsInClearAreAFindingWithThePasswordMasked) {
    start();
    Connect c = connect_packet("lab");
    c.username = "alice";
    c.password = "s3cret-pw";
    send(true, encoded(c));
    auto found = sink.findings_of(FindingKind::credentials_in_clear);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_NE(found[0].find("'alice'"), std::string::npos) << found[0];
    EXPECT_EQ(found[0].find("s3cret-pw"), std::string::npos) << found[0];
    EXPECT_NE(found[0].find("9 bytes"), std::string::npos) << found[0];
}

TEST(AnalyzerSecrets, ShowSecretsShowsThePassword) {
    RecordingSink sink;
    Analyzer analyzer(sink, AnalyzerOptions{.show_secrets = true});
    analyzer.on_open(1, Endpoints{"c:1", "b:1883", 1883, false}, Micros(0));
    Connect c = connect_packet("lab");
    c.username = "alice";
    c.password = "s3cret-pw";
    analyzer.on_data(1, Direction::to_broker, encoded(c), Micros(0));
    auto found = sink.findings_of(FindingKind::credentials_in_clear);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_NE(found[0].find("'s3cret-pw'"), std::string::npos) << found[0];
}

TEST_F(AnalyzerTest, ReadableTrafficAndTheVerdict) {
    start();
    send(true, encoded(connect_packet("c")));
    send(true, encoded(publish_packet("cheese/strudel", "hello")));
    send(true, encoded(publish_packet("cheese/strudel", "again")));
    reassembler.finish(Micros(clock));
    EXPECT_EQ(sink.findings_of(FindingKind::readable_traffic).size(), 1u);  // once per connection
    ASSERT_EQ(sink.verdicts.size(), 1u);
    EXPECT_EQ(sink.verdicts[0].verdict, Verdict::readable);
    EXPECT_EQ(sink.verdicts[0].connection.publishes, 2u);
}

TEST_F(AnalyzerTest, Mqtt5VersionIsRememberedForLaterPackets) {
    start();
    send(true, encoded(connect_packet("five", ProtocolVersion::v5), ProtocolVersion::v5));
    Publish p = publish_packet("with/props", "x");
    p.properties.edit().message_expiry_interval = 60;
    p.properties.edit().user_properties.push_back({"k", "v"});
    send(true, encoded(p, ProtocolVersion::v5));
    auto publishes = sink.packets_of<Publish>();
    ASSERT_EQ(publishes.size(), 1u);
    EXPECT_EQ(publishes[0].properties->message_expiry_interval, 60u);
    ASSERT_EQ(publishes[0].properties->user_properties.size(), 1u);
}

TEST_F(AnalyzerTest, Mqtt5TopicAliasesAreResolvedPerDirection) {
    start();
    send(true, encoded(connect_packet("five", ProtocolVersion::v5), ProtocolVersion::v5));
    Publish first = publish_packet("cheese/strudel", "1");
    first.properties.edit().topic_alias = 3;
    Publish again = publish_packet("", "2");
    again.properties.edit().topic_alias = 3;
    send(true, encoded(first, ProtocolVersion::v5) + encoded(again, ProtocolVersion::v5));
    // The broker's aliases are its own: alias 3 from the broker is not the client's alias 3.
    send(false, encoded(again, ProtocolVersion::v5));
    auto publishes = sink.packets_of<Publish>();
    ASSERT_EQ(publishes.size(), 3u);
    EXPECT_EQ(publishes[1].topic, "cheese/strudel");
    EXPECT_EQ(publishes[1].properties->topic_alias, 3);
    EXPECT_EQ(publishes[2].topic, "");
}

TEST_F(AnalyzerTest, NotMqttIsReportedAndSkipped) {
    start();
    send(true, "SSH-2.0-OpenSSH_9.2\r\n");
    send(true, std::string(5000, '\x00'));
    reassembler.finish(Micros(clock));
    EXPECT_TRUE(sink.packets.empty());
    EXPECT_EQ(sink.findings_of(FindingKind::not_mqtt).size(), 1u);
    ASSERT_EQ(sink.verdicts.size(), 1u);
    EXPECT_EQ(sink.verdicts[0].verdict, Verdict::not_mqtt);
}

TEST_F(AnalyzerTest, GarbageAfterGoodPacketsIsMalformedAndTheRestSkipped) {
    start();
    send(true, encoded(connect_packet("c")));
    send(true, std::string("\x30\xff\xff\xff\xff\x01", 6));  // a remaining length of five bytes
    send(true, encoded(publish_packet("never", "seen")));
    EXPECT_EQ(sink.findings_of(FindingKind::malformed).size(), 1u);
    EXPECT_TRUE(sink.packets_of<Publish>().empty());
}

TEST(AnalyzerFuzz, RandomBytesNeverCrash) {
    std::uint32_t state = 12345;
    auto next = [&state] { return state = state * 1664525u + 1013904223u; };
    for (int round = 0; round < 300; ++round) {
        RecordingSink sink;
        Analyzer analyzer(sink, AnalyzerOptions{});
        analyzer.on_open(1, Endpoints{"c:1", "b:1883", 1883, false}, Micros(0));
        std::string bytes(next() % 200, '\0');
        for (auto& b : bytes)
            b = static_cast<char>(next() >> 24);
        if (round % 3 == 0 && !bytes.empty()) bytes[0] = 0x10;                           // looks like CONNECT
        if (round % 3 == 1 && bytes.size() > 3) bytes.replace(0, 3, "\x16\x03\x01", 3);  // looks like TLS
        analyzer.on_data(1, Direction::to_broker, bytes, Micros(0));
        analyzer.on_data(1, Direction::to_client, bytes, Micros(0));
        analyzer.on_close(1, CloseReason::closed, Micros(0));
        EXPECT_EQ(sink.verdicts.size(), 1u);
    }
}

TEST_F(AnalyzerTest, MqttOverWebSocketIsDecoded) {
    tcp = TcpConversation(50001, 8080);
    start();
    send(true,
         "GET /mqtt HTTP/1.1\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Protocol: mqtt\r\n\r\n");
    send(false, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");
    // Client frames are masked (RFC 6455 5.3); one MQTT packet split over two frames.
    std::string mqtt = encoded(connect_packet("ws-client")) + encoded(publish_packet("over/ws", "framed"));
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    std::string frames;
    std::size_t half = mqtt.size() / 2;
    for (auto [part, fin] : {std::pair{mqtt.substr(0, half), false}, {mqtt.substr(half), true}}) {
        frames += static_cast<char>((fin ? 0x80 : 0x00) | (frames.empty() ? 0x02 : 0x00));
        frames += static_cast<char>(0x80 | part.size());
        frames.append(mask, 4);
        for (std::size_t i = 0; i < part.size(); ++i)
            frames += static_cast<char>(part[i] ^ mask[i % 4]);
    }
    send(true, frames, 7);
    auto publishes = sink.packets_of<Publish>();
    ASSERT_EQ(publishes.size(), 1u);
    EXPECT_EQ(publishes[0].topic, "over/ws");
    EXPECT_EQ(sink.packets.back().client_id, "ws-client");
}

}  // namespace
}  // namespace culex::sniff
