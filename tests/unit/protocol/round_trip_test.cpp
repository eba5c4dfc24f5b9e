// Every packet type survives encode -> next_frame -> decode unchanged, for each protocol version that has it.
#include <gtest/gtest.h>

#include "protocol/codec.hpp"

namespace culex::protocol {
namespace {

Packet round_trip(const Packet& packet, ProtocolVersion version) {
    std::string wire;
    encode(packet, version, wire);
    auto frame = next_frame(wire);
    EXPECT_TRUE(frame.has_value() && frame->has_value());
    EXPECT_EQ((*frame)->size, wire.size());
    auto decoded = decode(**frame, version);
    EXPECT_TRUE(decoded.has_value()) << (decoded ? "" : decoded.error().message);
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
    EXPECT_EQ(round_trip(c, ProtocolVersion::v311), Packet(c));
}

TEST(RoundTrip, Connect31) {
    Connect c;
    c.version = ProtocolVersion::v31;
    c.client_id = "old";
    EXPECT_EQ(round_trip(c, ProtocolVersion::v31), Packet(c));
}

TEST(RoundTrip, Connect5WithProperties) {
    Connect c;
    c.version = ProtocolVersion::v5;
    c.client_id = "v5";
    c.properties.session_expiry_interval = 3600;
    c.properties.receive_maximum = 10;
    c.properties.user_properties = {{"a", "b"}, {"a", "c"}};
    c.will = Will{"w", Payload(std::string("x")), QoS::exactly_once, false, {}};
    c.will->properties.will_delay_interval = 5;
    c.will->properties.content_type = "text/plain";
    EXPECT_EQ(round_trip(c, ProtocolVersion::v5), Packet(c));
}

TEST(RoundTrip, PublishAllQoS) {
    for (auto version : {ProtocolVersion::v311, ProtocolVersion::v5}) {
        for (auto qos : {QoS::at_most_once, QoS::at_least_once, QoS::exactly_once}) {
            Publish p{"cheese/strudel",
                      Payload(std::string("hello")),
                      qos,
                      true,
                      qos != QoS::at_most_once,
                      static_cast<std::uint16_t>(qos == QoS::at_most_once ? 0 : 7),
                      {}};
            if (version == ProtocolVersion::v5) p.properties.message_expiry_interval = 60;
            EXPECT_EQ(round_trip(p, version), Packet(p));
        }
    }
}

TEST(RoundTrip, ResponsesSubscribeAndOthers) {
    for (auto v : {ProtocolVersion::v311, ProtocolVersion::v5}) {
        EXPECT_EQ(round_trip(Puback{5}, v), Packet(Puback{5}));
        EXPECT_EQ(round_trip(Pubrec{6}, v), Packet(Pubrec{6}));
        EXPECT_EQ(round_trip(Pubrel{7}, v), Packet(Pubrel{7}));
        EXPECT_EQ(round_trip(Pubcomp{8}, v), Packet(Pubcomp{8}));
        Subscribe s{9, {{"a/+", QoS::at_least_once}, {"#", QoS::exactly_once}}, {}};
        EXPECT_EQ(round_trip(s, v), Packet(s));
        Suback sa{9, {ReasonCode::granted_qos1, ReasonCode::unspecified_error}, {}};
        EXPECT_EQ(round_trip(sa, v), Packet(sa));
        Unsubscribe u{10, {"a/+"}, {}};
        EXPECT_EQ(round_trip(u, v), Packet(u));
        EXPECT_EQ(round_trip(Pingreq{}, v), Packet(Pingreq{}));
        EXPECT_EQ(round_trip(Pingresp{}, v), Packet(Pingresp{}));
        EXPECT_EQ(round_trip(Disconnect{}, v), Packet(Disconnect{}));
        EXPECT_EQ(round_trip(Connack{true, ReasonCode::not_authorized, {}}, v),
                  Packet(Connack{true, ReasonCode::not_authorized, {}}));
    }
    Unsuback ua{10, {ReasonCode::no_subscription_existed}, {}};
    EXPECT_EQ(round_trip(ua, ProtocolVersion::v5), Packet(ua));
    EXPECT_EQ(round_trip(Unsuback{11}, ProtocolVersion::v311), Packet(Unsuback{11}));
    Auth a{ReasonCode::continue_authentication, {}};
    a.properties.authentication_method = "test";
    EXPECT_EQ(round_trip(a, ProtocolVersion::v5), Packet(a));
    Disconnect d{ReasonCode::session_taken_over, {}};
    EXPECT_EQ(round_trip(d, ProtocolVersion::v5), Packet(d));
}

}  // namespace
}  // namespace culex::protocol
