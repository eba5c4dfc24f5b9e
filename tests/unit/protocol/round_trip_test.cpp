// Every packet type survives encode -> next_frame -> decode unchanged, for each protocol version that has it,
// including every MQTT 5 property in every packet allowed to carry it; a few encodings are checked against
// bytes written by hand from the spec, so that encoder and decoder cannot agree on a wrong format.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "protocol/codec.hpp"
#include "wire_builder.hpp"

namespace culex::protocol {
namespace {

using namespace test;

constexpr ProtocolVersion kV31 = ProtocolVersion::v31;
constexpr ProtocolVersion kV311 = ProtocolVersion::v311;
constexpr ProtocolVersion kV5 = ProtocolVersion::v5;

Packet round_trip(const Packet& packet, ProtocolVersion version) {
    std::string wire;
    encode(packet, version, wire);
    auto frame = next_frame(wire);
    EXPECT_TRUE(frame.has_value() && frame->has_value());
    if (!frame || !*frame) return Packet{};
    EXPECT_EQ((*frame)->size, wire.size());
    auto decoded = decode(**frame, version);
    EXPECT_TRUE(decoded.has_value()) << (decoded ? "" : decoded.error().message) << " in " << hex(wire);
    return decoded ? *decoded : Packet{};
}

TEST(RoundTrip, Connect311WithWillAndCredentials) {
    Connect c;
    c.client_id = "lab-will";
    c.keep_alive = 30;
    c.clean_start = false;
    c.username = "alice";
    c.password = std::string("s\0cret", 6);
    c.will = Will{"lab/will", Payload(std::string("gone")), QoS::at_least_once, true, {}};
    EXPECT_EQ(round_trip(c, kV311), Packet(c));
}

TEST(RoundTrip, Connect31) {
    Connect c;
    c.version = kV31;
    c.client_id = "old";
    EXPECT_EQ(round_trip(c, kV31), Packet(c));
    c.username = "u";
    c.password = "p";
    c.will = Will{"w/t", Payload(std::string("x")), QoS::exactly_once, false, {}};
    EXPECT_EQ(round_trip(c, kV31), Packet(c));
}

// Mosquitto's bridge bit (try_private): protocol level | 0x80 on the wire, for 3.1 and 3.1.1.
TEST(RoundTrip, ConnectWithTheBridgeBit) {
    for (ProtocolVersion version : {kV31, kV311}) {
        Connect c;
        c.version = version;
        c.client_id = "site1";
        c.bridge = true;
        std::string wire;
        encode(c, version, wire);
        const std::size_t level_at = version == kV31 ? 10 : 8;  // after the fixed header and the name
        EXPECT_EQ(static_cast<unsigned char>(wire[level_at]), static_cast<unsigned>(version) | 0x80u);
        EXPECT_EQ(round_trip(c, version), Packet(c));
    }
    // MQTT 5 has no bridge bit: the flag is not encoded.
    Connect v5;
    v5.version = kV5;
    v5.client_id = "site1";
    v5.bridge = true;
    auto decoded = std::get<Connect>(round_trip(v5, kV5));
    EXPECT_FALSE(decoded.bridge);
}

TEST(RoundTrip, ConnectEveryFlagCombination) {
    for (auto version : {kV31, kV311, kV5}) {
        for (int bits = 0; bits < 64; ++bits) {
            Connect c;
            c.version = version;
            c.client_id = bits & 1 ? "" : "id";  // an empty client id is legal from 3.1.1 on
            c.clean_start = bits & 2;
            if (bits & 4) c.username = "user";
            // 3.1/3.1.1 forbid a password without a username.
            if ((bits & 8) && (c.username || version == kV5)) c.password = std::string("\xFF\x00", 2);
            if (bits & 16) c.will = Will{"w", Payload(), static_cast<QoS>((bits >> 5) & 1 ? 2 : 1), true, {}};
            c.keep_alive = static_cast<std::uint16_t>(bits * 1000);
            EXPECT_EQ(round_trip(c, version), Packet(c)) << "bits " << bits;
        }
    }
}

TEST(RoundTrip, ConnectCarriesItsOwnVersionWhateverTheConnection) {
    // Before CONNECT a connection has no version: decoding with any version must read the packet's own.
    Connect c;
    c.version = kV5;
    c.client_id = "v5";
    c.properties.session_expiry_interval = 1;
    auto bytes = encoded(c, kV311);
    auto decoded = decode_bytes(bytes, kV311);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(*decoded, Packet(c));
}

TEST(RoundTrip, Connect5WithProperties) {
    Connect c;
    c.version = kV5;
    c.client_id = "v5";
    c.properties.session_expiry_interval = 3600;
    c.properties.receive_maximum = 10;
    c.properties.user_properties = {{"a", "b"}, {"a", "c"}};
    c.will = Will{"w", Payload(std::string("x")), QoS::exactly_once, false, {}};
    c.will->properties.will_delay_interval = 5;
    c.will->properties.content_type = "text/plain";
    EXPECT_EQ(round_trip(c, kV5), Packet(c));
}

TEST(RoundTrip, ConnackEveryReturnCode311) {
    for (auto reason : {ReasonCode::success, ReasonCode::unsupported_protocol_version,
                        ReasonCode::client_identifier_not_valid, ReasonCode::server_unavailable,
                        ReasonCode::bad_username_or_password, ReasonCode::not_authorized}) {
        for (bool present : {false, true}) {
            Connack c{present, reason, {}};
            EXPECT_EQ(round_trip(c, kV311), Packet(c));
            // MQTT 3.1 has no Session Present flag: its CONNACK's first byte is reserved, always 0.
            EXPECT_EQ(round_trip(c, kV31), Packet(Connack{false, reason, {}}));
        }
    }
}

TEST(RoundTrip, Connack31NeverReadsASessionPresentFlag) {
    // A 3.1 broker that sets the reserved first byte's low bit does not say a session was present: 3.1 has no
    // such flag (found by the codec fuzzer: decoded as present, it re-encoded as absent).
    auto decoded = decode_bytes(std::string("\x20\x02\x01\x00", 4), kV31);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, Packet(Connack{false, ReasonCode::success, {}}));
}

TEST(RoundTrip, Connack311MapsMqtt5ReasonsToReturnCodes) {
    // A 3.1.1 client can only be told one of six return codes (spec 3.2.2.3).
    EXPECT_EQ(encoded(Connack{false, ReasonCode::banned, {}}, kV311), std::string("\x20\x02\x00\x05", 4));
    EXPECT_EQ(encoded(Connack{false, ReasonCode::server_busy, {}}, kV311),
              std::string("\x20\x02\x00\x03", 4));
    EXPECT_EQ(encoded(Connack{true, ReasonCode::success, {}}, kV311), std::string("\x20\x02\x01\x00", 4));
}

TEST(RoundTrip, PublishAllQoS) {
    for (auto version : {kV31, kV311, kV5}) {
        for (auto qos : {QoS::at_most_once, QoS::at_least_once, QoS::exactly_once}) {
            for (bool retain : {false, true}) {
                Publish p{"cheese/strudel",
                          Payload(std::string("hello")),
                          qos,
                          retain,
                          qos != QoS::at_most_once,
                          static_cast<std::uint16_t>(qos == QoS::at_most_once ? 0 : 65535),
                          {}};
                if (version == kV5) p.properties.edit().message_expiry_interval = 60;
                EXPECT_EQ(round_trip(p, version), Packet(p));
            }
        }
    }
}

TEST(RoundTrip, PublishPayloadSizesAcrossLengthBoundaries) {
    // Remaining lengths of 1, 2 and 3 bytes; an empty payload; binary payload with NUL bytes.
    for (std::size_t size : {0, 1, 100, 121, 122, 200, 16'000, 16'500, 70'000}) {
        std::string bytes(size, '\0');
        for (std::size_t i = 0; i < size; ++i)
            bytes[i] = static_cast<char>(i * 7);
        Publish p{"t/x", Payload(bytes), QoS::at_least_once, false, false, 1, {}};
        for (auto version : {kV311, kV5})
            EXPECT_EQ(round_trip(p, version), Packet(p)) << size;
    }
}

TEST(RoundTrip, Publish5TopicAliasWithEmptyTopic) {
    Publish p{"", Payload(std::string("x")), QoS::at_most_once, false, false, 0, {}};
    p.properties.edit().topic_alias = 7;
    EXPECT_EQ(round_trip(p, kV5), Packet(p));
}

TEST(RoundTrip, PublishUtf8Topic) {
    Publish p{"caf\xC3\xA9/\xE6\x97\xA5/\xF0\x9F\x98\x80",
              Payload(std::string("x")),
              QoS::at_most_once,
              false,
              false,
              0,
              {}};
    EXPECT_EQ(round_trip(p, kV311), Packet(p));
}

TEST(RoundTrip, ResponsesSubscribeAndOthers) {
    for (auto v : {kV31, kV311, kV5}) {
        EXPECT_EQ(round_trip(Puback{5}, v), Packet(Puback{5}));
        EXPECT_EQ(round_trip(Pubrec{6}, v), Packet(Pubrec{6}));
        EXPECT_EQ(round_trip(Pubrel{7}, v), Packet(Pubrel{7}));
        EXPECT_EQ(round_trip(Pubcomp{8}, v), Packet(Pubcomp{8}));
        Subscribe s{9, {{"a/+", QoS::at_least_once}, {"#", QoS::exactly_once}, {"x", QoS::at_most_once}}, {}};
        EXPECT_EQ(round_trip(s, v), Packet(s));
        Suback sa{9,
                  {ReasonCode::granted_qos1, ReasonCode::unspecified_error, ReasonCode::success,
                   ReasonCode::granted_qos2},
                  {}};
        EXPECT_EQ(round_trip(sa, v), Packet(sa));
        Unsubscribe u{10, {"a/+", "$share/g/#"}, {}};
        EXPECT_EQ(round_trip(u, v), Packet(u));
        EXPECT_EQ(round_trip(Pingreq{}, v), Packet(Pingreq{}));
        EXPECT_EQ(round_trip(Pingresp{}, v), Packet(Pingresp{}));
        EXPECT_EQ(round_trip(Disconnect{}, v), Packet(Disconnect{}));
        EXPECT_EQ(round_trip(Connack{true, ReasonCode::not_authorized, {}}, v),
                  Packet(Connack{v != kV31, ReasonCode::not_authorized, {}}));
    }
    Unsuback ua{10, {ReasonCode::no_subscription_existed, ReasonCode::success}, {}};
    EXPECT_EQ(round_trip(ua, kV5), Packet(ua));
    EXPECT_EQ(round_trip(Unsuback{11}, kV311), Packet(Unsuback{11}));
    Auth a{ReasonCode::continue_authentication, {}};
    a.properties.authentication_method = "test";
    EXPECT_EQ(round_trip(a, kV5), Packet(a));
    EXPECT_EQ(round_trip(Auth{}, kV5), Packet(Auth{}));
    Disconnect d{ReasonCode::session_taken_over, {}};
    EXPECT_EQ(round_trip(d, kV5), Packet(d));
}

TEST(RoundTrip, Mqtt5ResponsesWithReasonCodes) {
    for (auto reason :
         {ReasonCode::success, ReasonCode::no_matching_subscribers, ReasonCode::unspecified_error,
          ReasonCode::implementation_specific_error, ReasonCode::not_authorized,
          ReasonCode::topic_name_invalid, ReasonCode::packet_identifier_in_use, ReasonCode::quota_exceeded,
          ReasonCode::payload_format_invalid}) {
        EXPECT_EQ(round_trip(Puback{1, reason, {}}, kV5), Packet(Puback{1, reason, {}}));
        EXPECT_EQ(round_trip(Pubrec{1, reason, {}}, kV5), Packet(Pubrec{1, reason, {}}));
    }
    Pubrel rel{2, ReasonCode::packet_identifier_not_found, {}};
    EXPECT_EQ(round_trip(rel, kV5), Packet(rel));
    Pubcomp comp{3, ReasonCode::packet_identifier_not_found, {}};
    EXPECT_EQ(round_trip(comp, kV5), Packet(comp));
}

TEST(RoundTrip, Subscribe5EveryOptionCombination) {
    Subscribe s{1, {}, {}};
    for (int qos = 0; qos < 3; ++qos)
        for (bool no_local : {false, true})
            for (bool rap : {false, true})
                for (int handling = 0; handling < 3; ++handling)
                    s.subscriptions.push_back(Subscription{"a/" + std::to_string(s.subscriptions.size()),
                                                           static_cast<QoS>(qos), no_local, rap,
                                                           static_cast<RetainHandling>(handling)});
    EXPECT_EQ(round_trip(s, kV5), Packet(s));
}

TEST(RoundTrip, FieldsAVersionCannotCarryAreLeftOut) {
    Publish p{"t", Payload(std::string("x")), QoS::at_most_once, false, false, 0, {}};
    p.properties.edit().message_expiry_interval = 5;
    p.properties.edit().user_properties = {{"k", "v"}};
    Publish plain = p;
    plain.properties = {};
    EXPECT_EQ(round_trip(p, kV311), Packet(plain));
    EXPECT_EQ(encoded(p, kV311), encoded(plain, kV311));

    Subscribe s{1, {{"a", QoS::at_least_once, true, true, RetainHandling::never_send}}, {}};
    Subscribe s311{1, {{"a", QoS::at_least_once}}, {}};
    EXPECT_EQ(round_trip(s, kV311), Packet(s311));

    // 3.1.1 SUBACK knows only 0, 1, 2 and 0x80 Failure; UNSUBACK has no reason codes.
    Suback sa{1, {ReasonCode::not_authorized, ReasonCode::granted_qos2}, {}};
    EXPECT_EQ(round_trip(sa, kV311),
              Packet(Suback{1, {ReasonCode::unspecified_error, ReasonCode::granted_qos2}, {}}));
    EXPECT_EQ(round_trip(Unsuback{1, {ReasonCode::success}, {}}, kV311), Packet(Unsuback{1}));
    EXPECT_EQ(round_trip(Disconnect{ReasonCode::server_shutting_down, {}}, kV311), Packet(Disconnect{}));
    EXPECT_EQ(round_trip(Puback{4, ReasonCode::quota_exceeded, {}}, kV311), Packet(Puback{4}));
}

// Encodings written by hand from the spec's figures.
TEST(RoundTrip, GoldenEncodings) {
    struct Case {
        const char* name;
        Packet packet;
        ProtocolVersion version;
        std::string bytes;
    };
    Connect connect;
    connect.client_id = "c";
    connect.keep_alive = 10;
    connect.username = "u";
    connect.password = "p";
    Connect connect5 = connect;
    connect5.version = kV5;
    connect5.properties.session_expiry_interval = 300;
    Publish publish{"a/b", Payload(std::string("hi")), QoS::at_least_once, true, true, 0x1234, {}};
    Publish publish5{"a/b", Payload(std::string("hi")), QoS::at_most_once, false, false, 0, {}};
    publish5.properties.edit().topic_alias = 2;
    std::vector<Case> cases = {
        {"CONNECT 3.1.1", connect, kV311,
         packet(0x10, str("MQTT") + u8(4) + u8(0xC2) + u16(10) + str("c") + str("u") + str("p"))},
        {"CONNECT 3.1", Connect{kV31, true, 10, "c", {}, {}, {}, {}}, kV31,
         packet(0x10, str("MQIsdp") + u8(3) + u8(0x02) + u16(10) + str("c"))},
        {"CONNECT 5", connect5, kV5,
         packet(0x10, str("MQTT") + u8(5) + u8(0xC2) + u16(10) + props(u8(0x11) + u32(300)) + str("c") +
                          str("u") + str("p"))},
        {"CONNACK 5", Connack{true, ReasonCode::success, {}}, kV5, std::string("\x20\x03\x01\x00\x00", 5)},
        {"PUBLISH QoS 1 dup retain", publish, kV311, packet(0x3B, str("a/b") + u16(0x1234) + "hi")},
        {"PUBLISH 5 alias", publish5, kV5, packet(0x30, str("a/b") + props(u8(0x23) + u16(2)) + "hi")},
        {"PUBACK", Puback{5}, kV311, std::string("\x40\x02\x00\x05", 4)},
        {"PUBACK 5 success is short", Puback{5}, kV5, std::string("\x40\x02\x00\x05", 4)},
        {"PUBACK 5 with reason", Puback{5, ReasonCode::no_matching_subscribers, {}}, kV5,
         std::string("\x40\x03\x00\x05\x10", 5)},
        {"PUBREC", Pubrec{5}, kV311, std::string("\x50\x02\x00\x05", 4)},
        {"PUBREL", Pubrel{5}, kV311, std::string("\x62\x02\x00\x05", 4)},
        {"PUBCOMP", Pubcomp{5}, kV311, std::string("\x70\x02\x00\x05", 4)},
        {"SUBSCRIBE", Subscribe{10, {{"a/b", QoS::at_least_once}}, {}}, kV311,
         packet(0x82, u16(10) + str("a/b") + u8(1))},
        {"SUBSCRIBE 5 options",
         Subscribe{10, {{"a", QoS::exactly_once, true, true, RetainHandling::never_send}}, {}}, kV5,
         packet(0x82, u16(10) + props("") + str("a") + u8(0x2E))},
        {"SUBACK", Suback{10, {ReasonCode::granted_qos1, ReasonCode::unspecified_error}, {}}, kV311,
         packet(0x90, u16(10) + u8(1) + u8(0x80))},
        {"UNSUBSCRIBE", Unsubscribe{11, {"a/b"}, {}}, kV311, packet(0xA2, u16(11) + str("a/b"))},
        {"UNSUBACK", Unsuback{11}, kV311, std::string("\xB0\x02\x00\x0B", 4)},
        {"UNSUBACK 5", Unsuback{11, {ReasonCode::success}, {}}, kV5,
         packet(0xB0, u16(11) + props("") + u8(0))},
        {"PINGREQ", Pingreq{}, kV311, std::string("\xC0\x00", 2)},
        {"PINGRESP", Pingresp{}, kV311, std::string("\xD0\x00", 2)},
        {"DISCONNECT", Disconnect{}, kV311, std::string("\xE0\x00", 2)},
        {"DISCONNECT 5 normal is empty", Disconnect{}, kV5, std::string("\xE0\x00", 2)},
        {"DISCONNECT 5 with will", Disconnect{ReasonCode::disconnect_with_will, {}}, kV5,
         std::string("\xE0\x01\x04", 3)},
        {"AUTH 5", Auth{ReasonCode::continue_authentication, {}}, kV5, std::string("\xF0\x01\x18", 3)},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(hex(encoded(c.packet, c.version)), hex(c.bytes)) << c.name;
        auto decoded = decode_bytes(c.bytes, c.version);
        ASSERT_TRUE(decoded) << c.name << ": " << decoded.error().message;
        EXPECT_EQ(*decoded, c.packet) << c.name;
    }
}

TEST(RoundTrip, EncodeAppendsToWhatIsAlreadyThere) {
    std::string out = "xy";
    encode(Pingreq{}, kV311, out);
    encode(Publish{"t", Payload(std::string("p")), QoS::at_most_once, false, false, 0, {}}, kV311, out);
    EXPECT_EQ(hex(out), hex(std::string("xy\xC0\x00\x30\x04\x00\x01tp", 10)));
}

// --- Every MQTT 5 property in every place (spec 2.2.2.2, table 2-4) ---

enum class Place {
    connect,
    will,
    connack,
    publish,
    puback,
    pubrec,
    pubrel,
    pubcomp,
    subscribe,
    suback,
    unsubscribe,
    unsuback,
    disconnect,
    auth
};

const char* name_of(Place place) {
    static constexpr const char* kNames[] = {"CONNECT",     "will",     "CONNACK",    "PUBLISH",   "PUBACK",
                                             "PUBREC",      "PUBREL",   "PUBCOMP",    "SUBSCRIBE", "SUBACK",
                                             "UNSUBSCRIBE", "UNSUBACK", "DISCONNECT", "AUTH"};
    return kNames[static_cast<int>(place)];
}

// A packet of that place carrying `properties` (the encoder writes whatever it is given).
Packet packet_at(Place place, const Properties& properties) {
    switch (place) {
        case Place::connect: {
            Connect c{kV5, true, 60, "id", {}, {}, {}, properties};
            return c;
        }
        case Place::will: {
            Connect c{kV5,
                      true,
                      60,
                      "id",
                      {},
                      {},
                      Will{"w/t", Payload(std::string("x")), QoS::at_most_once, false, properties},
                      {}};
            return c;
        }
        case Place::connack:
            return Connack{false, ReasonCode::success, properties};
        case Place::publish:
            return Publish{"a/b", Payload(std::string("x")), QoS::at_least_once, false, false, 1, properties};
        case Place::puback:
            return Puback{1, ReasonCode::success, properties};
        case Place::pubrec:
            return Pubrec{1, ReasonCode::success, properties};
        case Place::pubrel:
            return Pubrel{1, ReasonCode::success, properties};
        case Place::pubcomp:
            return Pubcomp{1, ReasonCode::success, properties};
        case Place::subscribe:
            return Subscribe{1, {{"a/+", QoS::at_least_once}}, properties};
        case Place::suback:
            return Suback{1, {ReasonCode::granted_qos1}, properties};
        case Place::unsubscribe:
            return Unsubscribe{1, {"a/+"}, properties};
        case Place::unsuback:
            return Unsuback{1, {ReasonCode::success}, properties};
        case Place::disconnect:
            return Disconnect{ReasonCode::success, properties};
        case Place::auth:
            return Auth{ReasonCode::continue_authentication, properties};
    }
    return Pingreq{};
}

struct PropertyCase {
    const char* name;
    std::function<void(Properties&)> set;  // sets the property, at the edge of its range where it has one
    std::set<Place> allowed;
};

std::vector<PropertyCase> property_cases() {
    using enum Place;
    const std::set<Place> kMessage = {publish, will};
    std::set<Place> all;
    for (int i = 0; i <= static_cast<int>(auth); ++i)
        all.insert(static_cast<Place>(i));
    return {
        {"payload format indicator", [](Properties& p) { p.payload_format_indicator = 1; }, kMessage},
        {"message expiry interval", [](Properties& p) { p.message_expiry_interval = 0xFFFFFFFF; }, kMessage},
        {"content type", [](Properties& p) { p.content_type = "application/json"; }, kMessage},
        {"response topic", [](Properties& p) { p.response_topic = "reply/to/me"; }, kMessage},
        {"correlation data", [](Properties& p) { p.correlation_data = std::string("\0\xFF", 2); }, kMessage},
        {"subscription identifier",
         [](Properties& p) { p.subscription_identifiers = {268'435'455}; },
         {publish, subscribe}},
        {"session expiry interval",
         [](Properties& p) { p.session_expiry_interval = 0xFFFFFFFF; },
         {connect, connack, disconnect}},
        {"assigned client identifier",
         [](Properties& p) { p.assigned_client_identifier = "auto-7"; },
         {connack}},
        {"server keep alive", [](Properties& p) { p.server_keep_alive = 0; }, {connack}},
        // Authentication data only makes sense with a method, so both are set.
        {"authentication method",
         [](Properties& p) { p.authentication_method = "SCRAM-SHA-1"; },
         {connect, connack, auth}},
        {"authentication data",
         [](Properties& p) {
             p.authentication_method = "SCRAM-SHA-1";
             p.authentication_data = std::string("\x00\x01", 2);
         },
         {connect, connack, auth}},
        {"request problem information", [](Properties& p) { p.request_problem_information = 0; }, {connect}},
        {"will delay interval", [](Properties& p) { p.will_delay_interval = 0xFFFFFFFF; }, {will}},
        {"request response information",
         [](Properties& p) { p.request_response_information = 1; },
         {connect}},
        {"response information", [](Properties& p) { p.response_information = "resp/base"; }, {connack}},
        {"server reference", [](Properties& p) { p.server_reference = "other:1883"; }, {connack, disconnect}},
        {"reason string",
         [](Properties& p) { p.reason_string = "because"; },
         {connack, puback, pubrec, pubrel, pubcomp, suback, unsuback, disconnect, auth}},
        {"receive maximum", [](Properties& p) { p.receive_maximum = 65535; }, {connect, connack}},
        {"topic alias maximum", [](Properties& p) { p.topic_alias_maximum = 0; }, {connect, connack}},
        {"topic alias", [](Properties& p) { p.topic_alias = 65535; }, {publish}},
        {"maximum QoS", [](Properties& p) { p.maximum_qos = 1; }, {connack}},
        {"retain available", [](Properties& p) { p.retain_available = 0; }, {connack}},
        {"user property",
         [](Properties& p) {
             p.user_properties = {{"k", "v"}, {"k", "v"}, {"", ""}};
         },
         all},
        {"maximum packet size", [](Properties& p) { p.maximum_packet_size = 1; }, {connect, connack}},
        {"wildcard subscription available",
         [](Properties& p) { p.wildcard_subscription_available = 0; },
         {connack}},
        {"subscription identifier available",
         [](Properties& p) { p.subscription_identifier_available = 1; },
         {connack}},
        {"shared subscription available",
         [](Properties& p) { p.shared_subscription_available = 0; },
         {connack}},
    };
}

TEST(Properties, EveryPropertyRoundTripsWhereAllowedAndIsRejectedElsewhere) {
    int accepted = 0, rejected = 0;
    for (const auto& pc : property_cases()) {
        Properties properties;
        pc.set(properties);
        for (int i = 0; i <= static_cast<int>(Place::auth); ++i) {
            auto place = static_cast<Place>(i);
            Packet packet = packet_at(place, properties);
            auto bytes = encoded(packet, kV5);
            auto decoded = decode_bytes(bytes, kV5);
            if (pc.allowed.contains(place)) {
                ++accepted;
                ASSERT_TRUE(decoded) << pc.name << " in " << name_of(place) << ": "
                                     << decoded.error().message;
                EXPECT_EQ(*decoded, packet) << pc.name << " in " << name_of(place);
            } else {
                ++rejected;
                ASSERT_FALSE(decoded) << pc.name << " accepted in " << name_of(place);
                EXPECT_EQ(decoded.error().code, ReasonCode::protocol_error)
                    << pc.name << " in " << name_of(place);
                EXPECT_NE(decoded.error().message.find("not allowed"), std::string::npos)
                    << decoded.error().message;
            }
        }
    }
    EXPECT_EQ(accepted + rejected, 27 * 14);
}

TEST(Properties, AllTogetherInEachPacket) {
    // Every allowed property at once, so that their order and coexistence is exercised too.
    std::map<Place, Properties> combined;
    for (const auto& pc : property_cases())
        for (auto place : pc.allowed)
            pc.set(combined[place]);
    for (const auto& [place, properties] : combined) {
        Packet packet = packet_at(place, properties);
        EXPECT_EQ(round_trip(packet, kV5), packet) << name_of(place);
    }
    EXPECT_EQ(combined.size(), 14u);
}

TEST(Properties, RepeatableOnesKeepTheirOrder) {
    Publish p{"t", Payload(std::string("x")), QoS::at_most_once, false, false, 0, {}};
    p.properties.edit().subscription_identifiers = {5, 1, 300, 268'435'455};
    p.properties.edit().user_properties = {{"b", "2"}, {"a", "1"}, {"b", "3"}};
    EXPECT_EQ(round_trip(p, kV5), Packet(p));
}

}  // namespace
}  // namespace culex::protocol
