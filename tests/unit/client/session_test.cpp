// The client's protocol state machine, driven without a socket: bytes in, bytes and events out.
#include <gtest/gtest.h>

#include "client/session.hpp"
#include "protocol/codec.hpp"

namespace culex::client {
namespace {

using namespace culex::protocol;
using namespace std::chrono_literals;

std::string bytes_of(const Packet& packet, ProtocolVersion version = ProtocolVersion::v311) {
    std::string out;
    encode(packet, version, out);
    return out;
}

std::vector<Packet> packets_in(const std::string& bytes, ProtocolVersion version = ProtocolVersion::v311) {
    std::vector<Packet> packets;
    std::string_view rest(bytes);
    while (!rest.empty()) {
        auto frame = next_frame(rest);
        EXPECT_TRUE(frame && *frame) << "output is not whole packets";
        if (!frame || !*frame) break;
        auto packet = decode(**frame, version);
        EXPECT_TRUE(packet) << packet.error().message;
        if (!packet) break;
        packets.push_back(std::move(*packet));
        rest.remove_prefix((*frame)->size);
    }
    return packets;
}

Publish message(std::string topic, std::string payload, QoS qos, bool retain = false) {
    Publish p;
    p.topic = std::move(topic);
    p.payload = Payload(std::move(payload));
    p.qos = qos;
    p.retain = retain;
    return p;
}

struct SessionTest : ::testing::Test {
    Clock::time_point t0 = Clock::time_point{} + 1000s;

    SessionOptions options() {
        SessionOptions o;
        o.client_id = "tester";
        o.keep_alive = 10;
        return o;
    }

    // Opens a connection and accepts it; returns what the session sent before the CONNACK.
    std::vector<Packet> connect(Session& s, bool session_present = false) {
        s.connection_opened(t0);
        auto sent = packets_in(s.take_output());
        Connack ack;
        ack.session_present = session_present;
        EXPECT_TRUE(s.receive(bytes_of(ack), t0));
        return sent;
    }
};

TEST_F(SessionTest, ConnectCarriesTheOptions) {
    auto o = options();
    o.clean_session = false;
    o.username = "u";
    o.password = "p";
    o.will = Will{"will/t", Payload(std::string("gone")), QoS::at_least_once, true, {}};
    Session s(o);
    s.connection_opened(t0);
    auto sent = packets_in(s.take_output());
    ASSERT_EQ(sent.size(), 1u);
    const auto& c = std::get<Connect>(sent[0]);
    EXPECT_EQ(c.client_id, "tester");
    EXPECT_FALSE(c.clean_start);
    EXPECT_EQ(c.keep_alive, 10);
    EXPECT_EQ(c.username, "u");
    EXPECT_EQ(c.password, "p");
    ASSERT_TRUE(c.will);
    EXPECT_EQ(c.will->topic, "will/t");
    EXPECT_EQ(c.will->qos, QoS::at_least_once);
    EXPECT_TRUE(c.will->retain);
    EXPECT_EQ(s.state(), SessionState::connecting);
}

TEST_F(SessionTest, Mqtt31ConnectUsesMQIsdp) {
    auto o = options();
    o.version = ProtocolVersion::v31;
    Session s(o);
    s.connection_opened(t0);
    auto out = s.take_output();
    EXPECT_NE(out.find("MQIsdp"), std::string::npos);
}

TEST_F(SessionTest, ConnackAcceptedEmitsConnected) {
    Session s(options());
    connect(s, true);
    EXPECT_EQ(s.state(), SessionState::connected);
    auto events = s.take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_TRUE(std::get<events::Connected>(events[0]).session_present);
}

TEST_F(SessionTest, ConnackRefusedEmitsTheReturnCode) {
    Session s(options());
    s.connection_opened(t0);
    (void)s.take_output();
    Connack ack;
    ack.reason = ReasonCode::not_authorized;
    ASSERT_TRUE(s.receive(bytes_of(ack), t0));
    auto events = s.take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(std::get<events::Refused>(events[0]).code, 5);
    EXPECT_EQ(s.state(), SessionState::offline);
}

TEST_F(SessionTest, PacketBeforeConnackIsAProtocolError) {
    Session s(options());
    s.connection_opened(t0);
    auto result = s.receive(bytes_of(Pingresp{}), t0);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::protocol);
    EXPECT_NE(result.error().message.find("expected CONNACK"), std::string::npos);
}

TEST_F(SessionTest, MalformedBytesAreAProtocolError) {
    Session s(options());
    connect(s);
    // PUBLISH with QoS 3.
    auto result = s.receive(std::string("\x36\x03\x00\x01\x61", 5), t0);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::protocol);
}

TEST_F(SessionTest, PacketsSplitAcrossReadsAreReassembled) {
    Session s(options());
    s.connection_opened(t0);
    (void)s.take_output();
    auto ack = bytes_of(Connack{});
    ASSERT_TRUE(s.receive(ack.substr(0, 1), t0));
    EXPECT_EQ(s.state(), SessionState::connecting);
    ASSERT_TRUE(s.receive(ack.substr(1), t0));
    EXPECT_EQ(s.state(), SessionState::connected);
}

TEST_F(SessionTest, Qos0PublishIsDoneAtOnceWithAMessageId) {
    Session s(options());
    connect(s);
    (void)s.take_events();
    auto mid = s.publish(message("a/b", "hello", QoS::at_most_once), t0);
    ASSERT_TRUE(mid);
    EXPECT_EQ(*mid, 1);
    auto sent = packets_in(s.take_output());
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(std::get<Publish>(sent[0]).payload.view(), "hello");
    auto events = s.take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(std::get<events::Published>(events[0]).mid, 1);
}

TEST_F(SessionTest, PublishBeforeConnackWaitsForIt) {
    Session s(options());
    s.connection_opened(t0);
    (void)s.take_output();
    ASSERT_TRUE(s.publish(message("t", "x", QoS::at_most_once), t0));
    ASSERT_TRUE(s.publish(message("t", "y", QoS::at_least_once), t0));
    EXPECT_FALSE(s.has_output());
    ASSERT_TRUE(s.receive(bytes_of(Connack{}), t0));
    auto sent = packets_in(s.take_output());
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(std::get<Publish>(sent[0]).qos, QoS::at_most_once);
    EXPECT_EQ(std::get<Publish>(sent[1]).qos, QoS::at_least_once);
}

TEST_F(SessionTest, Qos1PublishCompletesOnPuback) {
    Session s(options());
    connect(s);
    (void)s.take_events();
    auto mid = s.publish(message("t", "x", QoS::at_least_once), t0);
    ASSERT_TRUE(mid);
    auto sent = packets_in(s.take_output());
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(std::get<Publish>(sent[0]).packet_id, *mid);
    EXPECT_TRUE(s.take_events().empty());
    EXPECT_EQ(s.unacknowledged(), 1u);
    ASSERT_TRUE(s.receive(bytes_of(Puback{*mid}), t0));
    auto events = s.take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(std::get<events::Published>(events[0]).mid, *mid);
    EXPECT_EQ(s.unacknowledged(), 0u);
}

TEST_F(SessionTest, Qos2PublishGoesPubrecPubrelPubcomp) {
    Session s(options());
    connect(s);
    (void)s.take_events();
    auto mid = s.publish(message("t", "x", QoS::exactly_once), t0);
    ASSERT_TRUE(mid);
    (void)s.take_output();
    ASSERT_TRUE(s.receive(bytes_of(Pubrec{*mid}), t0));
    auto sent = packets_in(s.take_output());
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(std::get<Pubrel>(sent[0]).packet_id, *mid);
    EXPECT_TRUE(s.take_events().empty()) << "not done before PUBCOMP";
    ASSERT_TRUE(s.receive(bytes_of(Pubcomp{*mid}), t0));
    auto events = s.take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(std::get<events::Published>(events[0]).mid, *mid);
}

TEST_F(SessionTest, InFlightWindowHoldsBackTheRest) {
    auto o = options();
    o.max_inflight = 2;
    Session s(o);
    connect(s);
    std::vector<std::uint16_t> mids;
    for (int i = 0; i < 4; ++i)
        mids.push_back(*s.publish(message("t", std::to_string(i), QoS::at_least_once), t0));
    auto sent = packets_in(s.take_output());
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(std::get<Publish>(sent[0]).payload.view(), "0");
    EXPECT_EQ(std::get<Publish>(sent[1]).payload.view(), "1");
    ASSERT_TRUE(s.receive(bytes_of(Puback{mids[0]}), t0));
    sent = packets_in(s.take_output());
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(std::get<Publish>(sent[0]).payload.view(), "2");
}

TEST_F(SessionTest, IncomingQos1IsDeliveredAndAcknowledged) {
    Session s(options());
    connect(s);
    (void)s.take_events();
    auto p = message("in", "data", QoS::at_least_once);
    p.packet_id = 7;
    ASSERT_TRUE(s.receive(bytes_of(p), t0));
    auto events = s.take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(std::get<events::Message>(events[0]).publish.payload.view(), "data");
    auto sent = packets_in(s.take_output());
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(std::get<Puback>(sent[0]).packet_id, 7);
}

TEST_F(SessionTest, IncomingQos2IsDeliveredOnceOnPubrel) {
    Session s(options());
    connect(s);
    (void)s.take_events();
    auto p = message("in", "data", QoS::exactly_once);
    p.packet_id = 9;
    ASSERT_TRUE(s.receive(bytes_of(p), t0));
    p.dup = true;
    ASSERT_TRUE(s.receive(bytes_of(p), t0));  // a duplicate before the release
    EXPECT_TRUE(s.take_events().empty());
    auto sent = packets_in(s.take_output());
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(std::get<Pubrec>(sent[0]).packet_id, 9);
    ASSERT_TRUE(s.receive(bytes_of(Pubrel{9}), t0));
    auto events = s.take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(std::get<events::Message>(events[0]).publish.payload.view(), "data");
    sent = packets_in(s.take_output());
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(std::get<Pubcomp>(sent[0]).packet_id, 9);
    ASSERT_TRUE(s.receive(bytes_of(Pubrel{9}), t0));  // repeated PUBREL: PUBCOMP again, no second delivery
    EXPECT_TRUE(s.take_events().empty());
}

TEST_F(SessionTest, ReconnectWithSessionResendsWithDupAndPubrel) {
    auto o = options();
    o.clean_session = false;
    Session s(o);
    connect(s);
    auto m1 = *s.publish(message("t", "one", QoS::at_least_once), t0);
    auto m2 = *s.publish(message("t", "two", QoS::exactly_once), t0);
    (void)s.take_output();
    ASSERT_TRUE(s.receive(bytes_of(Pubrec{m2}), t0));
    s.connection_closed();
    (void)s.take_events();
    auto sent = connect(s, /*session_present=*/true);
    ASSERT_EQ(sent.size(), 1u);  // CONNECT
    auto resent = packets_in(s.take_output());
    ASSERT_EQ(resent.size(), 2u);
    const auto& again = std::get<Publish>(resent[0]);
    EXPECT_EQ(again.packet_id, m1);
    EXPECT_TRUE(again.dup);
    EXPECT_EQ(std::get<Pubrel>(resent[1]).packet_id, m2);
}

TEST_F(SessionTest, ReconnectWithoutSessionStartsMessagesAfresh) {
    Session s(options());
    connect(s);
    auto m1 = *s.publish(message("t", "one", QoS::at_least_once), t0);
    (void)s.take_output();
    s.connection_closed();
    connect(s, /*session_present=*/false);
    auto resent = packets_in(s.take_output());
    ASSERT_EQ(resent.size(), 1u);
    EXPECT_EQ(std::get<Publish>(resent[0]).packet_id, m1);
    EXPECT_FALSE(std::get<Publish>(resent[0]).dup);
}

TEST_F(SessionTest, KeepalivePingsAfterSilenceAndFailsWithoutAnswer) {
    Session s(options());
    connect(s);
    ASSERT_EQ(s.deadline(), t0 + 10s);
    ASSERT_TRUE(s.on_timer(t0 + 5s));
    EXPECT_FALSE(s.has_output()) << "no ping before the keepalive";
    ASSERT_TRUE(s.on_timer(t0 + 10s));
    auto sent = packets_in(s.take_output());
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<Pingreq>(sent[0]));
    ASSERT_TRUE(s.receive(bytes_of(Pingresp{}), t0 + 11s));
    ASSERT_TRUE(s.on_timer(t0 + 20s));
    (void)s.take_output();
    auto result = s.on_timer(t0 + 30s);
    ASSERT_FALSE(result) << "PINGREQ unanswered for a whole keepalive";
    EXPECT_EQ(result.error().kind, ErrorKind::keepalive);
}

TEST_F(SessionTest, ConnackTimeoutIsBounded) {
    auto o = options();
    o.connect_timeout = 3s;
    Session s(o);
    s.connection_opened(t0);
    EXPECT_EQ(s.deadline(), t0 + 3s);
    EXPECT_TRUE(s.on_timer(t0 + 2s));
    auto result = s.on_timer(t0 + 3s);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::timeout);
}

TEST_F(SessionTest, SubscribeAndUnsubscribeReportTheirAcks) {
    Session s(options());
    connect(s);
    (void)s.take_events();
    auto sub =
        s.subscribe({Subscription{"a/#", QoS::exactly_once}, Subscription{"b", QoS::at_most_once}}, {}, t0);
    ASSERT_TRUE(sub);
    auto sent = packets_in(s.take_output());
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(std::get<Subscribe>(sent[0]).subscriptions.size(), 2u);
    Suback ack;
    ack.packet_id = *sub;
    ack.reasons = {ReasonCode::granted_qos2, ReasonCode::unspecified_error};
    ASSERT_TRUE(s.receive(bytes_of(ack), t0));
    auto events = s.take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(std::get<events::Subscribed>(events[0]).granted, ack.reasons);

    auto unsub = s.unsubscribe({"a/#"}, {}, t0);
    ASSERT_TRUE(unsub);
    EXPECT_NE(*unsub, *sub);
    ASSERT_TRUE(s.receive(bytes_of(Unsuback{*unsub}), t0));
    events = s.take_events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(std::get<events::Unsubscribed>(events[0]).mid, *unsub);
}

TEST_F(SessionTest, SubscribeNeedsAConnection) {
    Session s(options());
    auto result = s.subscribe({Subscription{"a"}}, {}, t0);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::not_connected);
}

TEST_F(SessionTest, DisconnectSendsDisconnect) {
    Session s(options());
    connect(s);
    s.disconnect(t0);
    auto sent = packets_in(s.take_output());
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<Disconnect>(sent[0]));
    EXPECT_EQ(s.state(), SessionState::disconnecting);
}

TEST_F(SessionTest, PacketIdsSkipThoseInUse) {
    Session s(options());
    connect(s);
    auto a = *s.publish(message("t", "x", QoS::at_least_once), t0);
    // Wrap the counter all the way round: the next QoS 1 id must not be `a` while `a` is unacknowledged.
    ASSERT_EQ(a, 1);
    for (int i = 0; i < 65534; ++i)
        (void)s.publish(message("t", "x", QoS::at_most_once), t0);
    auto b = *s.publish(message("t", "x", QoS::at_least_once), t0);
    EXPECT_EQ(b, 2) << "the counter wraps past 0 and past 1, which is still in flight";
}

TEST_F(SessionTest, WildcardPublishTopicIsRefused) {
    Session s(options());
    auto result = s.publish(message("a/#", "x", QoS::at_most_once), t0);
    ASSERT_FALSE(result);
}

TEST_F(SessionTest, DebugLinesNameTheClientAndPackets) {
    Session s(options());
    std::vector<std::string> lines;
    s.set_debug_sink([&](std::string_view line) { lines.emplace_back(line); });
    connect(s);
    (void)s.publish(message("a", "hello", QoS::exactly_once), t0);
    ASSERT_TRUE(s.receive(bytes_of(Pubrec{1}), t0));
    ASSERT_TRUE(s.receive(bytes_of(Pubcomp{1}), t0));
    s.disconnect(t0);
    std::vector<std::string> expected = {
        "Client tester sending CONNECT",
        "Client tester received CONNACK (0)",
        "Client tester sending PUBLISH (d0, q2, r0, m1, 'a', ... (5 bytes))",
        "Client tester received PUBREC (Mid: 1)",
        "Client tester sending PUBREL (m1)",
        "Client tester received PUBCOMP (Mid: 1, RC:0)",
        "Client tester sending DISCONNECT",
    };
    EXPECT_EQ(lines, expected);
}

}  // namespace
}  // namespace culex::client
