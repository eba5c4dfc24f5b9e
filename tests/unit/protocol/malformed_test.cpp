// Malformed and forbidden packets, written byte by byte: each must be rejected with the reason code the spec
// prescribes and a message that names the violation (the broker logs it and closes with that code).
#include <gtest/gtest.h>

#include <vector>

#include "protocol/codec.hpp"
#include "wire_builder.hpp"

namespace culex::protocol {
namespace {

using namespace test;

constexpr ProtocolVersion kV31 = ProtocolVersion::v31;
constexpr ProtocolVersion kV311 = ProtocolVersion::v311;
constexpr ProtocolVersion kV5 = ProtocolVersion::v5;
constexpr ReasonCode kMalformed = ReasonCode::malformed_packet;
constexpr ReasonCode kProtocol = ReasonCode::protocol_error;

struct BadCase {
    const char* name;
    ProtocolVersion version;
    std::string bytes;
    ReasonCode code;
    const char* message;  // a part of the error text that names the violation
};

void expect_rejected(const BadCase& c) {
    SCOPED_TRACE(c.name);
    auto decoded = decode_bytes(c.bytes, c.version);
    ASSERT_FALSE(decoded) << "accepted: " << hex(c.bytes);
    EXPECT_EQ(decoded.error().code, c.code) << decoded.error().message;
    EXPECT_NE(decoded.error().message.find(c.message), std::string::npos)
        << "message '" << decoded.error().message << "' does not mention '" << c.message << "'";
}

std::string publish_body(std::string_view topic, std::string_view props_and_payload = "") {
    return str(topic) + std::string(props_and_payload);
}

// A v5 PUBLISH QoS 0 to "t" with the given property list.
std::string publish5_with(std::string_view property_list) {
    return packet(0x30, str("t") + props(property_list) + "payload");
}
// A v5 CONNECT (clean start, client id "c") with the given property list.
std::string connect5_with(std::string_view property_list) {
    return packet(0x10, connect_header(kV5, 0x02) + props(property_list) + str("c"));
}
// A v5 CONNACK with the given property list.
std::string connack5_with(std::string_view property_list) {
    return packet(0x20, u8(0) + u8(0) + props(property_list));
}

TEST(Malformed, ConnectPackets) {
    std::string id = str("c");
    std::vector<BadCase> cases = {
        {"reserved connect flag", kV311, packet(0x10, connect_header(kV311, 0x03) + id), kMalformed,
         "reserved flag"},
        {"reserved connect flag 5", kV5, packet(0x10, connect_header(kV5, 0x01) + props("") + id), kMalformed,
         "reserved flag"},
        {"will QoS 3", kV311, packet(0x10, connect_header(kV311, 0x1E) + id + str("w") + str("m")),
         kMalformed, "will QoS 3"},
        {"will QoS without will", kV311, packet(0x10, connect_header(kV311, 0x0A) + id), kMalformed,
         "without a will"},
        {"will retain without will", kV311, packet(0x10, connect_header(kV311, 0x22) + id), kMalformed,
         "without a will"},
        {"will QoS without will 5", kV5, packet(0x10, connect_header(kV5, 0x12) + props("") + id), kMalformed,
         "without a will"},
        {"password without username 3.1.1", kV311, packet(0x10, connect_header(kV311, 0x42) + id + str("pw")),
         kMalformed, "password flag set without a username"},
        {"password without username 3.1", kV31, packet(0x10, connect_header(kV31, 0x42) + id + str("pw")),
         kMalformed, "password flag set without a username"},
        {"protocol level 6", kV311, packet(0x10, str("MQTT") + u8(6) + u8(2) + u16(60) + id),
         ReasonCode::unsupported_protocol_version, "unsupported protocol version 6"},
        {"protocol level 3 with MQTT", kV311, packet(0x10, str("MQTT") + u8(3) + u8(2) + u16(60) + id),
         ReasonCode::unsupported_protocol_version, "unsupported protocol version 3"},
        {"protocol level 4 with MQIsdp", kV311, packet(0x10, str("MQIsdp") + u8(4) + u8(2) + u16(60) + id),
         ReasonCode::unsupported_protocol_version, "unsupported protocol version 4"},
        {"bridge bit on MQTT 5, which has none", kV311,
         packet(0x10, str("MQTT") + u8(0x85) + u8(2) + u16(60) + id),
         ReasonCode::unsupported_protocol_version, "unsupported protocol version"},
        // Not MQTT at all: the spec prescribes no CONNACK, so it is a protocol error, not a version refusal.
        {"unknown protocol name", kV311, packet(0x10, str("HTTP") + u8(4) + u8(2) + u16(60) + id), kProtocol,
         "unknown protocol name 'HTTP'"},
        {"lower-case protocol name", kV311, packet(0x10, str("mqtt") + u8(4) + u8(2) + u16(60) + id),
         kProtocol, "unknown protocol name"},
        {"truncated protocol name", kV311, packet(0x10, u16(4) + "MQ"), kMalformed, "protocol name"},
        {"no keep alive", kV311, packet(0x10, str("MQTT") + u8(4) + u8(2) + u8(0)), kMalformed, "keep alive"},
        {"no client id", kV311, packet(0x10, connect_header(kV311, 0x02)), kMalformed, "client identifier"},
        {"client id longer than packet", kV311, packet(0x10, connect_header(kV311, 0x02) + u16(10) + "abc"),
         kMalformed, "client identifier: packet ends early"},
        {"client id invalid UTF-8", kV311, packet(0x10, connect_header(kV311, 0x02) + str("\xC3\x28")),
         kMalformed, "client identifier is not valid UTF-8"},
        {"client id with U+0000", kV311,
         packet(0x10, connect_header(kV311, 0x02) + str(std::string("a\0", 2))), kMalformed,
         "client identifier is not valid UTF-8"},
        {"will flag without will topic", kV311, packet(0x10, connect_header(kV311, 0x06) + id), kMalformed,
         "will topic"},
        {"will without payload", kV311, packet(0x10, connect_header(kV311, 0x06) + id + str("w")), kMalformed,
         "will payload"},
        {"will topic with wildcard", kV311,
         packet(0x10, connect_header(kV311, 0x06) + id + str("w/#") + str("m")), kProtocol, "will topic"},
        {"empty will topic", kV311, packet(0x10, connect_header(kV311, 0x06) + id + str("") + str("m")),
         kProtocol, "will topic"},
        {"will topic surrogate", kV311,
         packet(0x10, connect_header(kV311, 0x06) + id + str("\xED\xA0\x80") + str("m")), kMalformed,
         "will topic is not valid UTF-8"},
        {"username missing", kV311, packet(0x10, connect_header(kV311, 0x82) + id), kMalformed, "username"},
        {"username invalid UTF-8", kV311, packet(0x10, connect_header(kV311, 0x82) + id + str("\xFF")),
         kMalformed, "username is not valid UTF-8"},
        {"password missing", kV311, packet(0x10, connect_header(kV311, 0xC2) + id + str("u")), kMalformed,
         "password"},
        {"trailing bytes", kV311, packet(0x10, connect_header(kV311, 0x02) + id + "x"), kMalformed,
         "CONNECT has 1 unexpected trailing bytes"},
        {"v5 missing properties", kV5, packet(0x10, connect_header(kV5, 0x02)), kMalformed,
         "property length"},
        {"v5 properties longer than packet", kV5, packet(0x10, connect_header(kV5, 0x02) + u8(10) + u8(0x11)),
         kMalformed, "properties: packet ends early"},
        {"v5 will properties not allowed", kV5,
         packet(0x10,
                connect_header(kV5, 0x06) + props("") + id + props(u8(0x11) + u32(1)) + str("w") + str("m")),
         kProtocol, "property 0x11 is not allowed in will properties"},
        {"v5 will delay in connect properties", kV5, connect5_with(u8(0x18) + u32(1)), kProtocol,
         "property 0x18 is not allowed in CONNECT"},
    };
    for (const auto& c : cases)
        expect_rejected(c);
}

TEST(Malformed, PasswordWithoutUsernameIsFineInMqtt5) {
    auto bytes = packet(0x10, connect_header(kV5, 0x42) + props("") + str("c") + str("pw"));
    auto decoded = decode_bytes(bytes, kV5);
    ASSERT_TRUE(decoded) << decoded.error().message;
    const auto& connect = std::get<Connect>(*decoded);
    EXPECT_FALSE(connect.username);
    EXPECT_EQ(connect.password, "pw");
}

TEST(Malformed, ConnackPackets) {
    std::vector<BadCase> cases = {
        {"reserved acknowledge flags", kV311, std::string("\x20\x02\x02\x00", 4), kMalformed,
         "reserved flags"},
        {"return code 6", kV311, std::string("\x20\x02\x00\x06", 4), kMalformed, "return code 6"},
        {"too short", kV311, std::string("\x20\x01\x00", 3), kMalformed, "packet ends early"},
        {"trailing bytes", kV311, std::string("\x20\x03\x00\x00\x00", 5), kMalformed, "trailing"},
        {"v5 no properties", kV5, std::string("\x20\x02\x00\x00", 4), kMalformed, "property length"},
        {"v5 maximum QoS 2", kV5, connack5_with(u8(0x24) + u8(2)), kProtocol, "must be 0 or 1"},
        {"v5 retain available 2", kV5, connack5_with(u8(0x25) + u8(2)), kProtocol, "must be 0 or 1"},
        {"v5 wildcard available 2", kV5, connack5_with(u8(0x28) + u8(2)), kProtocol, "must be 0 or 1"},
        {"v5 subscription ids available 2", kV5, connack5_with(u8(0x29) + u8(2)), kProtocol,
         "must be 0 or 1"},
        {"v5 shared available 2", kV5, connack5_with(u8(0x2A) + u8(2)), kProtocol, "must be 0 or 1"},
        {"v5 receive maximum 0", kV5, connack5_with(u8(0x21) + u16(0)), kProtocol, "receive maximum 0"},
        {"v5 maximum packet size 0", kV5, connack5_with(u8(0x27) + u32(0)), kProtocol,
         "maximum packet size 0"},
        {"v5 duplicate server keep alive", kV5, connack5_with(u8(0x13) + u16(1) + u8(0x13) + u16(2)),
         kProtocol, "property 0x13 appears twice"},
        {"v5 reason string invalid UTF-8", kV5, connack5_with(u8(0x1F) + str("\xC0\xAF")), kMalformed,
         "reason string: invalid UTF-8"},
        {"v5 authentication data without method", kV5, connack5_with(u8(0x16) + str("x")), kProtocol,
         "authentication data without an authentication method"},
    };
    for (const auto& c : cases)
        expect_rejected(c);
}

TEST(Malformed, PublishPackets) {
    std::vector<BadCase> cases = {
        {"QoS 3", kV311, packet(0x36, publish_body("t") + u16(1)), kMalformed, "QoS 3"},
        {"QoS 3 v5", kV5, packet(0x36, publish_body("t") + u16(1) + props("")), kMalformed, "QoS 3"},
        {"QoS 0 with DUP", kV311, packet(0x38, publish_body("t")), kMalformed, "QoS 0 with the DUP flag"},
        {"wildcard +", kV311, packet(0x30, publish_body("a/+")), kProtocol, "contains a wildcard"},
        {"wildcard #", kV311, packet(0x30, publish_body("#")), kProtocol, "contains a wildcard"},
        {"wildcard v5", kV5, packet(0x30, publish_body("a/#") + props("")), kProtocol, "contains a wildcard"},
        {"empty topic 3.1.1", kV311, packet(0x30, publish_body("") + "x"), kProtocol, "empty topic"},
        {"empty topic v5 without alias", kV5, packet(0x30, publish_body("") + props("") + "x"), kProtocol,
         "empty topic"},
        {"topic invalid UTF-8", kV311, packet(0x30, publish_body("a\xFF")), kMalformed,
         "topic name is not valid UTF-8"},
        {"topic with U+0000", kV311, packet(0x30, publish_body(std::string("a\0b", 3))), kMalformed,
         "topic name is not valid UTF-8"},
        {"topic with high surrogate", kV311, packet(0x30, publish_body("\xED\xA0\x80")), kMalformed,
         "topic name is not valid UTF-8"},
        {"topic with low surrogate", kV311, packet(0x30, publish_body("\xED\xBF\xBF")), kMalformed,
         "topic name is not valid UTF-8"},
        {"topic overlong encoding", kV311, packet(0x30, publish_body("\xC0\xAF")), kMalformed,
         "topic name is not valid UTF-8"},
        {"topic beyond U+10FFFF", kV311, packet(0x30, publish_body("\xF4\x90\x80\x80")), kMalformed,
         "topic name is not valid UTF-8"},
        {"topic truncated sequence", kV311, packet(0x30, publish_body("\xE6\x97")), kMalformed,
         "topic name is not valid UTF-8"},
        {"topic longer than packet", kV311, packet(0x30, u16(5) + "ab"), kMalformed,
         "topic name: packet ends early"},
        {"no topic length", kV311, packet(0x30, u8(0)), kMalformed, "topic name: packet ends early"},
        {"empty body", kV311, packet(0x30, ""), kMalformed, "packet ends early"},
        {"packet id 0 QoS 1", kV311, packet(0x32, publish_body("t") + u16(0)), kProtocol,
         "PUBLISH with packet identifier 0"},
        {"packet id 0 QoS 2", kV5, packet(0x34, publish_body("t") + u16(0) + props("")), kProtocol,
         "packet identifier 0"},
        {"QoS 1 without packet id", kV311, packet(0x32, publish_body("t") + u8(1)), kMalformed,
         "packet identifier: packet ends early"},
        {"v5 no property length", kV5, packet(0x30, publish_body("t")), kMalformed, "property length"},
        {"v5 property length of 5 bytes", kV5, packet(0x30, publish_body("t") + "\x80\x80\x80\x80\x01"),
         kMalformed, "property length: variable byte integer longer than 4 bytes"},
        {"v5 property length beyond packet", kV5, packet(0x30, publish_body("t") + u8(3) + u8(0x01)),
         kMalformed, "properties: packet ends early"},
        {"v5 property value truncated", kV5, publish5_with(u8(0x02) + u16(0)), kMalformed,
         "packet ends early"},
        {"v5 topic alias 0", kV5, publish5_with(u8(0x23) + u16(0)), kProtocol, "topic alias 0"},
        {"v5 duplicate topic alias", kV5, publish5_with(u8(0x23) + u16(1) + u8(0x23) + u16(2)), kProtocol,
         "property 0x23 appears twice"},
        {"v5 duplicate message expiry", kV5, publish5_with(u8(0x02) + u32(1) + u8(0x02) + u32(1)), kProtocol,
         "property 0x02 appears twice"},
        {"v5 duplicate content type", kV5, publish5_with(u8(0x03) + str("a") + u8(0x03) + str("b")),
         kProtocol, "property 0x03 appears twice"},
        {"v5 payload format indicator 2", kV5, publish5_with(u8(0x01) + u8(2)), kProtocol, "must be 0 or 1"},
        {"v5 subscription identifier 0", kV5, publish5_with(u8(0x0B) + u8(0)), kProtocol,
         "subscription identifier 0"},
        {"v5 subscription identifier of 5 bytes", kV5, publish5_with(u8(0x0B) + "\xFF\xFF\xFF\xFF\x7F"),
         kMalformed, "subscription identifier: variable byte integer longer than 4 bytes"},
        {"v5 response topic with wildcard", kV5, publish5_with(u8(0x08) + str("reply/+")), kProtocol,
         "response topic is not a valid topic name"},
        {"v5 content type invalid UTF-8", kV5, publish5_with(u8(0x03) + str("\x80")), kMalformed,
         "content type: invalid UTF-8"},
        {"v5 user property name invalid UTF-8", kV5, publish5_with(u8(0x26) + str("\xFE") + str("v")),
         kMalformed, "user property name: invalid UTF-8"},
        {"v5 user property value with U+0000", kV5,
         publish5_with(u8(0x26) + str("k") + str(std::string("\0", 1))), kMalformed,
         "user property value: invalid UTF-8"},
        {"v5 user property without value", kV5, publish5_with(u8(0x26) + str("k")), kMalformed,
         "user property value: packet ends early"},
        {"v5 session expiry not allowed", kV5, publish5_with(u8(0x11) + u32(1)), kProtocol,
         "property 0x11 is not allowed in PUBLISH"},
        {"v5 unknown property 0x05", kV5, publish5_with(u8(0x05) + u8(0)), kProtocol,
         "property 0x05 is not allowed in PUBLISH"},
        {"v5 property id 0", kV5, publish5_with(u8(0x00)), kProtocol, "property 0x00 is not allowed"},
        {"v5 property id beyond one byte", kV5, publish5_with("\x81\x02"), kProtocol, "is not allowed"},
    };
    for (const auto& c : cases)
        expect_rejected(c);
}

TEST(Malformed, PublishResponses) {
    std::vector<BadCase> cases;
    for (std::uint8_t header : {0x40, 0x50, 0x62, 0x70}) {
        cases.push_back(
            {"packet id 0", kV311, packet(header, u16(0)), kProtocol, "with packet identifier 0"});
        cases.push_back(
            {"packet id 0 v5", kV5, packet(header, u16(0)), kProtocol, "with packet identifier 0"});
        cases.push_back({"one byte", kV311, packet(header, u8(1)), kMalformed, "packet ends early"});
        cases.push_back({"empty", kV5, packet(header, ""), kMalformed, "packet ends early"});
        cases.push_back({"trailing 3.1.1", kV311, packet(header, u16(1) + u8(0)), kMalformed, "trailing"});
        cases.push_back({"v5 topic alias not allowed", kV5,
                         packet(header, u16(1) + u8(0) + props(u8(0x23) + u16(1))), kProtocol,
                         "not allowed"});
        cases.push_back({"v5 trailing after properties", kV5,
                         packet(header, u16(1) + u8(0) + props("") + "x"), kMalformed, "trailing"});
    }
    for (const auto& c : cases)
        expect_rejected(c);
}

TEST(Malformed, SubscribeAndUnsubscribe) {
    std::vector<BadCase> cases = {
        {"no filters", kV311, packet(0x82, u16(1)), kProtocol, "SUBSCRIBE with no topic filter"},
        {"no filters v5", kV5, packet(0x82, u16(1) + props("")), kProtocol, "SUBSCRIBE with no topic filter"},
        {"packet id 0", kV311, packet(0x82, u16(0) + str("a") + u8(0)), kProtocol,
         "SUBSCRIBE with packet identifier 0"},
        {"reserved option bits 3.1.1", kV311, packet(0x82, u16(1) + str("a") + u8(0x04)), kMalformed,
         "reserved bits"},
        {"reserved option bit 7 3.1.1", kV311, packet(0x82, u16(1) + str("a") + u8(0x80)), kMalformed,
         "reserved bits"},
        {"reserved option bits v5", kV5, packet(0x82, u16(1) + props("") + str("a") + u8(0x40)), kMalformed,
         "reserved bits"},
        {"QoS 3", kV311, packet(0x82, u16(1) + str("a") + u8(3)), kMalformed, "QoS 3"},
        {"QoS 3 v5", kV5, packet(0x82, u16(1) + props("") + str("a") + u8(3)), kMalformed, "QoS 3"},
        {"retain handling 3", kV5, packet(0x82, u16(1) + props("") + str("a") + u8(0x30)), kProtocol,
         "retain handling 3"},
        {"filter without options", kV311, packet(0x82, u16(1) + str("a")), kMalformed,
         "subscription options: packet ends early"},
        {"filter invalid UTF-8", kV311, packet(0x82, u16(1) + str("\xC3") + u8(0)), kMalformed,
         "topic filter is not valid UTF-8"},
        {"filter longer than packet", kV311, packet(0x82, u16(1) + u16(9) + "a"), kMalformed,
         "topic filter: packet ends early"},
        {"second filter truncated", kV311, packet(0x82, u16(1) + str("a") + u8(0) + u8(0)), kMalformed,
         "packet ends early"},
        {"two subscription identifiers", kV5,
         packet(0x82, u16(1) + props(u8(0x0B) + u8(1) + u8(0x0B) + u8(2)) + str("a") + u8(0)), kProtocol,
         "more than one subscription identifier"},
        {"topic alias in SUBSCRIBE", kV5, packet(0x82, u16(1) + props(u8(0x23) + u16(1)) + str("a") + u8(0)),
         kProtocol, "not allowed in SUBSCRIBE"},
        {"no local on a shared subscription", kV5,
         packet(0x82, u16(1) + props("") + str("$share/g/a") + u8(0x04)), kProtocol,
         "No Local on a shared subscription"},
        {"unsubscribe no filters", kV311, packet(0xA2, u16(1)), kProtocol,
         "UNSUBSCRIBE with no topic filter"},
        {"unsubscribe no filters v5", kV5, packet(0xA2, u16(1) + props("")), kProtocol,
         "UNSUBSCRIBE with no topic filter"},
        {"unsubscribe packet id 0", kV311, packet(0xA2, u16(0) + str("a")), kProtocol, "packet identifier 0"},
        {"unsubscribe filter with U+0000", kV311, packet(0xA2, u16(1) + str(std::string("\0", 1))),
         kMalformed, "topic filter is not valid UTF-8"},
        {"unsubscribe subscription identifier", kV5,
         packet(0xA2, u16(1) + props(u8(0x0B) + u8(1)) + str("a")), kProtocol, "not allowed in UNSUBSCRIBE"},
        {"suback reserved return code", kV311, packet(0x90, u16(1) + u8(0x03)), kMalformed,
         "SUBACK return code 0x03 is reserved"},
        {"suback reserved return code 0x81", kV311, packet(0x90, u16(1) + u8(0x81)), kMalformed, "reserved"},
        {"suback packet id 0", kV311, packet(0x90, u16(0) + u8(0)), kProtocol, "packet identifier 0"},
        {"unsuback trailing 3.1.1", kV311, packet(0xB0, u16(1) + u8(0)), kMalformed, "trailing"},
        {"unsuback no properties v5", kV5, packet(0xB0, u16(1)), kMalformed, "property length"},
    };
    for (const auto& c : cases)
        expect_rejected(c);
}

TEST(Malformed, PingDisconnectAuth) {
    std::vector<BadCase> cases = {
        {"PINGREQ with body", kV311, packet(0xC0, "x"), kMalformed,
         "PINGREQ has 1 unexpected trailing bytes"},
        {"PINGRESP with body", kV5, packet(0xD0, "x"), kMalformed,
         "PINGRESP has 1 unexpected trailing bytes"},
        {"DISCONNECT 3.1.1 with body", kV311, packet(0xE0, u8(0)), kMalformed, "DISCONNECT has 1 unexpected"},
        {"DISCONNECT v5 truncated properties", kV5, packet(0xE0, u8(0) + u8(5)), kMalformed,
         "packet ends early"},
        {"DISCONNECT v5 trailing", kV5, packet(0xE0, u8(0) + props("") + "x"), kMalformed, "trailing"},
        {"DISCONNECT v5 will delay not allowed", kV5, packet(0xE0, u8(0) + props(u8(0x18) + u32(1))),
         kProtocol, "not allowed in DISCONNECT"},
        {"DISCONNECT v5 duplicate session expiry", kV5,
         packet(0xE0, u8(0) + props(u8(0x11) + u32(1) + u8(0x11) + u32(2))), kProtocol, "appears twice"},
        {"AUTH in 3.1.1", kV311, packet(0xF0, ""), kMalformed, "reserved packet type 15"},
        {"AUTH in 3.1", kV31, packet(0xF0, ""), kMalformed, "reserved packet type 15"},
        {"packet type 0", kV311, packet(0x00, ""), kMalformed, "reserved packet type 0"},
        {"packet type 0 v5", kV5, packet(0x00, ""), kMalformed, "reserved packet type 0"},
        {"AUTH data without method", kV5, packet(0xF0, u8(0x18) + props(u8(0x16) + str("x"))), kProtocol,
         "authentication data without an authentication method"},
        {"AUTH reason string twice", kV5,
         packet(0xF0, u8(0x18) + props(u8(0x1F) + str("a") + u8(0x1F) + str("b"))), kProtocol,
         "appears twice"},
        {"CONNECT request problem information 2", kV5, connect5_with(u8(0x17) + u8(2)), kProtocol,
         "must be 0 or 1"},
        {"CONNECT request response information 2", kV5, connect5_with(u8(0x19) + u8(2)), kProtocol,
         "must be 0 or 1"},
        {"CONNECT receive maximum 0", kV5, connect5_with(u8(0x21) + u16(0)), kProtocol, "receive maximum 0"},
        {"CONNECT maximum packet size 0", kV5, connect5_with(u8(0x27) + u32(0)), kProtocol,
         "maximum packet size 0"},
        {"CONNECT duplicate authentication method", kV5,
         connect5_with(u8(0x15) + str("a") + u8(0x15) + str("a")), kProtocol, "property 0x15 appears twice"},
        {"CONNECT authentication data without method", kV5, connect5_with(u8(0x16) + str("x")), kProtocol,
         "authentication data without an authentication method"},
    };
    for (const auto& c : cases)
        expect_rejected(c);
}

// Fixed header flags (spec 2.2.2, table 2.2): every packet type but PUBLISH has exactly one legal value.
TEST(Malformed, ReservedFixedHeaderFlagsForEveryType) {
    struct Valid {
        ProtocolVersion version;
        std::string bytes;
    };
    std::vector<Valid> valid = {
        {kV311, packet(0x10, connect_header(kV311, 0x02) + str("c"))},
        {kV311, std::string("\x20\x02\x00\x00", 4)},
        {kV311, std::string("\x40\x02\x00\x01", 4)},
        {kV311, std::string("\x50\x02\x00\x01", 4)},
        {kV311, std::string("\x62\x02\x00\x01", 4)},
        {kV311, std::string("\x70\x02\x00\x01", 4)},
        {kV311, packet(0x82, u16(1) + str("a") + u8(0))},
        {kV311, packet(0x90, u16(1) + u8(0))},
        {kV311, packet(0xA2, u16(1) + str("a"))},
        {kV311, std::string("\xB0\x02\x00\x01", 4)},
        {kV311, std::string("\xC0\x00", 2)},
        {kV311, std::string("\xD0\x00", 2)},
        {kV311, std::string("\xE0\x00", 2)},
        {kV5, std::string("\xF0\x00", 2)},
    };
    for (const auto& v : valid) {
        auto type = static_cast<std::uint8_t>(v.bytes[0]) >> 4;
        std::uint8_t legal = static_cast<std::uint8_t>(v.bytes[0]) & 0x0F;
        ASSERT_TRUE(decode_bytes(v.bytes, v.version)) << "type " << type;
        for (std::uint8_t flags = 0; flags < 16; ++flags) {
            if (flags == legal) continue;
            std::string bad = v.bytes;
            bad[0] = static_cast<char>((type << 4) | flags);
            auto decoded = decode_bytes(bad, v.version);
            ASSERT_FALSE(decoded) << "type " << type << " flags " << int(flags);
            EXPECT_EQ(decoded.error().code, kMalformed);
            EXPECT_NE(decoded.error().message.find("fixed header flags"), std::string::npos)
                << decoded.error().message;
        }
    }
}

TEST(Malformed, PublishAcceptsEveryLegalFlagCombination) {
    // DUP, QoS 0-2 and RETAIN are PUBLISH's own flags: all legal ones decode to what they say.
    for (std::uint8_t flags = 0; flags < 16; ++flags) {
        int qos = (flags >> 1) & 3;
        bool dup = flags & 8;
        auto bytes = packet(static_cast<std::uint8_t>(0x30 | flags), str("t") + (qos ? u16(9) : "") + "x");
        auto decoded = decode_bytes(bytes, kV311);
        if (qos == 3 || (qos == 0 && dup)) {
            EXPECT_FALSE(decoded) << int(flags);
            continue;
        }
        ASSERT_TRUE(decoded) << int(flags) << ": " << decoded.error().message;
        const auto& p = std::get<Publish>(*decoded);
        EXPECT_EQ(static_cast<int>(p.qos), qos);
        EXPECT_EQ(p.dup, dup);
        EXPECT_EQ(p.retain, bool(flags & 1));
        EXPECT_EQ(p.payload.view(), "x");
    }
}

TEST(Malformed, FrameLevelErrors) {
    // Remaining length of five bytes: malformed as soon as the fourth byte says "more".
    auto too_long = next_frame(std::string("\x30\xFF\xFF\xFF\xFF", 5));
    ASSERT_FALSE(too_long);
    EXPECT_EQ(too_long.error().code, kMalformed);
    EXPECT_NE(too_long.error().message.find("remaining length longer than 4 bytes"), std::string::npos);
    EXPECT_FALSE(next_frame(std::string("\x30\x80\x80\x80\x80\x01", 6)));

    // Larger than the limit: known from the header alone, before the body arrives.
    auto large = next_frame(std::string("\x30\x80\x01", 3), 100);
    ASSERT_FALSE(large);
    EXPECT_EQ(large.error().code, ReasonCode::packet_too_large);
    EXPECT_NE(large.error().message.find("131 bytes"), std::string::npos) << large.error().message;
    EXPECT_NE(large.error().message.find("limit of 100 bytes"), std::string::npos) << large.error().message;
}

TEST(Malformed, DecoderSurvivesEveryTruncationOfValidPackets) {
    // Cutting a valid packet's body short and fixing its length must give an error, never a crash or a
    // wrong packet that silently decodes as something shorter (except where the shorter form is legal).
    Connect c{kV5,
              true,
              60,
              "client",
              "user",
              "pass",
              Will{"w", Payload(std::string("m")), QoS::at_least_once, true, {}},
              {}};
    c.properties.session_expiry_interval = 5;
    c.properties.user_properties = {{"a", "b"}};
    Publish p{"a/b", Payload(std::string("payload")), QoS::exactly_once, false, false, 3, {}};
    p.properties.edit().content_type = "x";
    for (const Packet& packet_value :
         std::vector<Packet>{c, p, Subscribe{1, {{"a", QoS::at_least_once}}, {}}}) {
        auto bytes = encoded(packet_value, kV5);
        auto frame = **next_frame(bytes);
        for (std::size_t cut = 0; cut < frame.body.size(); ++cut) {
            Frame shorter = frame;
            shorter.body = frame.body.substr(0, cut);
            auto decoded = decode(shorter, kV5);
            if (decoded) {
                EXPECT_NE(*decoded, packet_value) << "cut at " << cut;
            }
        }
    }
}

}  // namespace
}  // namespace culex::protocol
