// What `culex sniff` prints: the fields of -T fields (with tshark's names too), the text line of a packet,
// --json objects, passwords masked unless asked, binary shown as hex, ports and the capture filter.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "sniff/output.hpp"
#include "sniff/printable.hpp"
#include "sniff/sniffer.hpp"

namespace culex::sniff {
namespace {

using namespace culex::protocol;

// Output written through a LineWriter into a temporary file, read back as text.
class Captured {
  public:
    Captured() : file_(std::tmpfile()), writer_(fileno(file_), true) {}
    ~Captured() { std::fclose(file_); }
    LineWriter& writer() { return writer_; }
    std::string text() {
        writer_.flush();
        std::string out;
        std::rewind(file_);
        char buffer[4096];
        while (auto n = std::fread(buffer, 1, sizeof buffer, file_))
            out.append(buffer, n);
        return out;
    }

  private:
    std::FILE* file_;
    LineWriter writer_;
};

struct OutputTest : ::testing::Test {
    Connection connection;
    Publish publish;
    Connect connect;
    OutputTest() {
        connection.id = 1;
        connection.endpoints = Endpoints{"127.0.0.1:50312", "127.0.0.1:1883", 1883, false};
        connection.transport = Transport::mqtt;
        connection.client_id = "sensor-7";
        connection.version = ProtocolVersion::v311;
        publish.topic = "cheese/strudel";
        publish.payload = Payload(std::string("hello"));
        publish.qos = QoS::at_least_once;
        publish.packet_id = 17;
        connect.client_id = "sensor-7";
        connect.username = "alice";
        connect.password = "s3cret";
    }
    PacketEvent event(const Packet& packet, Direction direction = Direction::to_broker) {
        return PacketEvent{Micros(1'700'000'000'123'456), connection, direction, packet, 42};
    }
};

TEST_F(OutputTest, FieldsByOurNamesAndTsharks) {
    Packet packet = publish;
    auto e = event(packet);
    auto value = [&](std::string_view name) {
        auto field = parse_field(name);
        EXPECT_TRUE(field.has_value()) << name;
        return field_value(*field, e, DescribeOptions{});
    };
    EXPECT_EQ(value("topic"), "cheese/strudel");
    EXPECT_EQ(value("mqtt.topic"), "cheese/strudel");
    EXPECT_EQ(value("payload"), "hello");
    EXPECT_EQ(value("mqtt.msg"), "hello");
    EXPECT_EQ(value("clientid"), "sensor-7");
    EXPECT_EQ(value("qos"), "1");
    EXPECT_EQ(value("packet_id"), "17");
    EXPECT_EQ(value("type"), "PUBLISH");
    EXPECT_EQ(value("src"), "127.0.0.1:50312");
    EXPECT_EQ(value("dst"), "127.0.0.1:1883");
    EXPECT_EQ(value("epoch"), "1700000000.123456");
    EXPECT_EQ(value("size"), "42");
    EXPECT_EQ(value("username"), "");  // not known: this connection's CONNECT had none
}

TEST_F(OutputTest, DirectionSwapsSourceAndDestination) {
    Packet packet = Puback{};
    auto e = event(packet, Direction::to_client);
    EXPECT_EQ(field_value(Field::src, e, {}), "127.0.0.1:1883");
    EXPECT_EQ(field_value(Field::dst, e, {}), "127.0.0.1:50312");
    EXPECT_EQ(field_value(Field::topic, e, {}), "");
}

TEST_F(OutputTest, UnknownFieldNamesTheKnownOnes) {
    auto field = parse_field("mqtt.nonsense");
    ASSERT_FALSE(field.has_value());
    EXPECT_NE(field.error().message.find("unknown field 'mqtt.nonsense'"), std::string::npos);
    EXPECT_NE(field.error().message.find("topic"), std::string::npos);
}

TEST_F(OutputTest, PasswordMaskedUnlessShowSecrets) {
    Packet packet = connect;
    auto e = event(packet);
    EXPECT_EQ(field_value(Field::password, e, DescribeOptions{}), "******");
    EXPECT_EQ(field_value(Field::password, e, DescribeOptions{.show_secrets = true}), "s3cret");
    auto text = packet_details(packet, DescribeOptions{});
    EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
    EXPECT_NE(text.find("username 'alice' password '******' (6 bytes"), std::string::npos) << text;
}

TEST_F(OutputTest, BinaryPayloadIsHexWithItsLength) {
    publish.payload = Payload(std::string("\x00\x01\xff", 3));
    Packet packet = publish;
    EXPECT_EQ(field_value(Field::payload, event(packet), {}), "0x0001ff");
    EXPECT_NE(packet_details(packet, {}).find("payload 0x0001ff (3 bytes)"), std::string::npos);
    // Control characters in text stay on one line.
    EXPECT_EQ(printable_text("a\nb\x01"), "a\\nb\\x01");
    EXPECT_EQ(payload_text(std::string(10, 'x'), 4), "'xxxx...' (10 bytes)");
}

TEST_F(OutputTest, TextLineOfAPublish) {
    Captured out;
    Captured err;
    OutputOptions options;
    auto sink = make_output(options, out.writer(), err.writer());
    Packet packet = publish;
    sink->packet(event(packet));
    auto text = out.text();
    EXPECT_NE(text.find(" 127.0.0.1:50312 -> 127.0.0.1:1883 [sensor-7] PUBLISH 'cheese/strudel' q1 r0 d0 m17 "
                        "payload 'hello' (5 bytes)\n"),
              std::string::npos)
        << text;
    EXPECT_EQ(err.text(), "");
}

TEST_F(OutputTest, FieldsGoToStdoutAndTheReportToStderr) {
    Captured out;
    Captured err;
    OutputOptions options{.format = OutputFormat::fields, .fields = {Field::topic, Field::payload}};
    auto sink = make_output(options, out.writer(), err.writer());
    Packet packet = publish;
    sink->packet(event(packet));
    sink->finding(Finding{Micros(0), connection, FindingKind::readable_traffic, "topics readable"});
    sink->summary(Summary{});
    EXPECT_EQ(out.text(), "cheese/strudel\thello\n");
    auto report = err.text();
    EXPECT_NE(report.find("FINDING topics readable"), std::string::npos) << report;
    EXPECT_NE(report.find("--- culex sniff summary ---"), std::string::npos) << report;
}

TEST_F(OutputTest, JsonOneObjectPerLine) {
    Captured out;
    Captured err;
    OutputOptions options{.format = OutputFormat::json};
    auto sink = make_output(options, out.writer(), err.writer());
    Packet packet = publish;
    sink->packet(event(packet));
    sink->verdict(connection, Verdict::readable, CloseReason::closed, Micros(0));
    auto text = out.text();
    auto newline = text.find('\n');
    ASSERT_NE(newline, std::string::npos);
    auto first = nlohmann::json::parse(text.substr(0, newline));
    EXPECT_EQ(first["kind"], "packet");
    EXPECT_EQ(first["type"], "PUBLISH");
    EXPECT_EQ(first["topic"], "cheese/strudel");
    EXPECT_EQ(first["payload"], "hello");
    EXPECT_EQ(first["packet_id"], 17);
    EXPECT_EQ(first["clientid"], "sensor-7");
    auto second = nlohmann::json::parse(text.substr(newline + 1));
    EXPECT_EQ(second["kind"], "verdict");
    EXPECT_EQ(second["verdict"], "readable");
}

TEST(SnifferOptions, PortsAndCaptureFilter) {
    EXPECT_EQ(parse_ports("1883,8883").value(), (std::vector<std::uint16_t>{1883, 8883}));
    for (const char* bad : {"", "0", "70000", ",1883", "x", "1883;8883"}) {
        auto ports = parse_ports(bad);
        EXPECT_FALSE(ports.has_value()) << bad;
    }
    SniffOptions options;
    options.ports = {1883, 8883};
    EXPECT_EQ(capture_filter(options), "tcp and (port 1883 or port 8883)");
    options.filter = "host 10.0.0.2";
    EXPECT_EQ(capture_filter(options), "(tcp and (port 1883 or port 8883)) and (host 10.0.0.2)");
    options.any_port = true;
    options.filter.clear();
    EXPECT_EQ(capture_filter(options), "tcp");
}

}  // namespace
}  // namespace culex::sniff
