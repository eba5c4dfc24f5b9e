// The client session's MQTT 5 duties: the broker's CONNACK limits (Receive Maximum, Maximum Packet Size,
// Maximum QoS), topic aliases the broker sets, properties on CONNECT and DISCONNECT, and reasons in
// DISCONNECT.
#include <gtest/gtest.h>

#include "client/session.hpp"
#include "protocol/codec.hpp"

namespace culex::client {
namespace {

using namespace culex::protocol;
using namespace std::chrono_literals;

constexpr auto kV5 = ProtocolVersion::v5;

std::string bytes_of(const Packet& packet) {
    std::string out;
    encode(packet, kV5, out);
    return out;
}

std::vector<Packet> packets_in(const std::string& bytes) {
    std::vector<Packet> packets;
    std::string_view rest(bytes);
    while (!rest.empty()) {
        auto frame = next_frame(rest);
        if (!frame || !*frame) break;
        auto packet = decode(**frame, kV5);
        if (!packet) break;
        packets.push_back(std::move(*packet));
        rest.remove_prefix((*frame)->size);
    }
    return packets;
}

Publish message(std::string topic, std::string payload, QoS qos) {
    Publish p;
    p.topic = std::move(topic);
    p.payload = Payload(std::move(payload));
    p.qos = qos;
    return p;
}

struct SessionV5Test : ::testing::Test {
    Clock::time_point t0 = Clock::time_point{} + 1000s;

    SessionOptions options() {
        SessionOptions o;
        o.version = kV5;
        o.client_id = "v5";
        o.connect_properties.topic_alias_maximum = 5;
        o.connect_properties.session_expiry_interval = 60;
        o.disconnect_properties.session_expiry_interval = 0;
        return o;
    }

    std::vector<Packet> connect(Session& s, Properties connack_properties = {}) {
        s.connection_opened(t0);
        auto sent = packets_in(s.take_output());
        Connack ack;
        ack.properties = std::move(connack_properties);
        EXPECT_TRUE(s.receive(bytes_of(ack), t0));
        return sent;
    }
};

TEST_F(SessionV5Test, ConnectAndDisconnectCarryTheirProperties) {
    Session s(options());
    auto sent = connect(s);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(std::get<Connect>(sent[0]).properties.topic_alias_maximum, 5);
    EXPECT_EQ(std::get<Connect>(sent[0]).properties.session_expiry_interval, 60u);
    s.disconnect(t0);
    auto out = packets_in(s.take_output());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(std::get<Disconnect>(out[0]).properties.session_expiry_interval, 0u);
}

TEST_F(SessionV5Test, ReceiveMaximumNarrowsTheWindow) {
    Session s(options());
    Properties p;
    p.receive_maximum = 2;
    connect(s, p);
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(s.publish(message("t", "x", QoS::at_least_once), t0));
    EXPECT_EQ(packets_in(s.take_output()).size(), 2u);
    EXPECT_EQ(s.window(), 2u);
    ASSERT_TRUE(s.receive(bytes_of(Puback{1}), t0));
    EXPECT_EQ(packets_in(s.take_output()).size(), 1u);  // one acknowledged, one more goes
}

TEST_F(SessionV5Test, MaximumPacketSizeRefusesLargerMessages) {
    Session s(options());
    Properties p;
    p.maximum_packet_size = 64;
    connect(s, p);
    EXPECT_TRUE(s.publish(message("t", std::string(10, 'x'), QoS::at_most_once), t0));
    auto big = s.publish(message("t", std::string(100, 'x'), QoS::at_most_once), t0);
    ASSERT_FALSE(big);
    EXPECT_NE(big.error().message.find("Packet larger than supported by the server"), std::string::npos);
}

TEST_F(SessionV5Test, MaximumQosRefusesHigherQos) {
    Session s(options());
    Properties p;
    p.maximum_qos = 0;
    connect(s, p);
    auto r = s.publish(message("t", "x", QoS::at_least_once), t0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Message QoS not supported on broker, try a lower QoS.");
}

TEST_F(SessionV5Test, TopicAliasesFromTheBrokerAreResolved) {
    Session s(options());
    connect(s);
    s.take_events();
    auto first = message("long/topic/name", "1", QoS::at_most_once);
    first.properties.edit().topic_alias = 3;
    auto second = message("", "2", QoS::at_most_once);
    second.properties.edit().topic_alias = 3;
    ASSERT_TRUE(s.receive(bytes_of(first) + bytes_of(second), t0));
    auto events = s.take_events();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(std::get<events::Message>(events[1]).publish.topic, "long/topic/name");
    EXPECT_EQ(std::get<events::Message>(events[1]).publish.payload.view(), "2");
}

TEST_F(SessionV5Test, UnknownOrExcessiveAliasIsAProtocolError) {
    Session s(options());
    connect(s);
    auto unknown = message("", "x", QoS::at_most_once);
    unknown.properties.edit().topic_alias = 2;
    EXPECT_FALSE(s.receive(bytes_of(unknown), t0));

    Session s2(options());
    connect(s2);
    auto beyond = message("t", "x", QoS::at_most_once);
    beyond.properties.edit().topic_alias = 6;  // we allowed 5
    EXPECT_FALSE(s2.receive(bytes_of(beyond), t0));
}

TEST_F(SessionV5Test, BrokerDisconnectNamesTheReason) {
    Session s(options());
    connect(s);
    Disconnect d;
    d.reason = ReasonCode::session_taken_over;
    auto r = s.receive(bytes_of(d), t0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::server_disconnect);
    EXPECT_EQ(r.error().message, "The broker disconnected: Session taken over.");
}

TEST_F(SessionV5Test, ConnackRefusalKeepsTheReasonCode) {
    Session s(options());
    s.connection_opened(t0);
    (void)s.take_output();
    Connack ack;
    ack.reason = ReasonCode::not_authorized;
    ASSERT_TRUE(s.receive(bytes_of(ack), t0));
    auto events = s.take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(std::get<events::Refused>(events[0]).code, 0x87);
}

TEST_F(SessionV5Test, AliasOnlyPublishIsAllowed) {
    Session s(options());
    connect(s);
    auto m = message("", "x", QoS::at_most_once);
    m.properties.edit().topic_alias = 1;
    EXPECT_TRUE(s.publish(m, t0));
}

}  // namespace
}  // namespace culex::client
