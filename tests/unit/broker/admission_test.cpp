// Connection admission through the core's LoopCore interface: CONNECT before anything else, CONNACK,
// refusals, session resume, and takeover of a client id on the same loop and across loops.
#include <gtest/gtest.h>

#include "core_harness.hpp"

namespace culex::broker {
namespace {

using namespace culex::protocol;
using testing::CoreHarness;

Subscribe subscribe(std::string filter, QoS qos, std::uint16_t id = 1) {
    return Subscribe{id, {{std::move(filter), qos}}, {}};
}

TEST(Admission, ConnectIsAnsweredWithConnack) {
    CoreHarness core(1);
    auto c = core.connect(0, "dev1");
    ASSERT_EQ(c->sent<Connack>().size(), 1u);
    EXPECT_EQ(c->sent<Connack>()[0].reason, ReasonCode::success);
    EXPECT_FALSE(c->sent<Connack>()[0].session_present);
    EXPECT_FALSE(c->closed());
}

TEST(Admission, AnythingBeforeConnectClosesTheConnection) {
    CoreHarness core(1);
    auto c = core.open(0);
    core.receive(*c, Pingreq{});
    EXPECT_TRUE(c->closed());
    EXPECT_TRUE(c->link.sent.empty());  // no CONNACK: it never asked to connect
}

TEST(Admission, SecondConnectIsAProtocolViolation) {
    CoreHarness core(1);
    auto c = core.connect(0, "dev1");
    core.receive(*c, Connect{});
    EXPECT_TRUE(c->closed());
}

TEST(Admission, AnonymousRefusedWhenNotAllowed) {
    CoreHarness core(1, {}, /*allow_anonymous=*/false);
    auto c = core.connect(0, "dev1");
    ASSERT_EQ(c->sent<Connack>().size(), 1u);
    EXPECT_EQ(c->sent<Connack>()[0].reason, ReasonCode::not_authorized);
    EXPECT_TRUE(c->closed());
}

TEST(Admission, EmptyClientIdGetsOneAssignedInMqtt5) {
    CoreHarness core(1);
    auto c = core.connect(0, "", true, ProtocolVersion::v5);
    ASSERT_EQ(c->sent<Connack>().size(), 1u);
    auto assigned = c->sent<Connack>()[0].properties.assigned_client_identifier;
    ASSERT_TRUE(assigned.has_value());
    EXPECT_TRUE(assigned->starts_with("auto-"));
}

TEST(Admission, EmptyClientIdWithCleanSessionZeroRefusedIn311) {
    CoreHarness core(1);
    auto c = core.connect(0, "", /*clean=*/false);
    ASSERT_EQ(c->sent<Connack>().size(), 1u);
    EXPECT_EQ(c->sent<Connack>()[0].reason, ReasonCode::client_identifier_not_valid);
    EXPECT_TRUE(c->closed());
}

// A CONNECT of "dev1" on loop 0, whose session is held on loop 1: the connection waits for it (no CONNACK
// yet) until the loops settle.
std::unique_ptr<testing::TestClient> connect_waiting_for_takeover(CoreHarness& core) {
    auto c = core.open(0);
    Connect connect;
    connect.client_id = "dev1";
    connect.clean_start = false;
    core.core(0).handle_packet(c->client, std::move(connect));
    return c;
}

TEST(Admission, PacketsSentBeforeConnackAreHandledInOrderAfterIt) {
    BrokerSettings settings;
    CoreHarness core(2, settings);
    // A takeover on another loop keeps the new connection waiting for its session: what it pipelines
    // meanwhile is kept, then handled once connected.
    auto old = core.connect(1, "dev1", /*clean=*/false);
    auto c = connect_waiting_for_takeover(core);
    core.core(0).handle_packet(c->client, subscribe("a/#", QoS::at_least_once));
    core.core(0).handle_packet(c->client, Pingreq{});
    core.core(0).end_step();
    core.settle();
    ASSERT_GE(c->link.sent.size(), 3u);
    EXPECT_TRUE(std::holds_alternative<Connack>(c->link.sent[0]));
    EXPECT_TRUE(std::holds_alternative<Suback>(c->link.sent[1]));
    EXPECT_TRUE(std::holds_alternative<Pingresp>(c->link.sent[2]));
    EXPECT_TRUE(old->closed());
}

TEST(Admission, APublishKeptUntilConnackOwnsTheBytesItBorrowed) {
    // net hands the core a PUBLISH whose topic and payload point into its read buffer (decode_borrowing),
    // reused once the call returns: one kept for after CONNACK must have copied them.
    CoreHarness core(2);
    auto subscriber = core.connect(0, "sub");
    core.receive(*subscriber, subscribe("early/#", QoS::at_most_once));
    auto old = core.connect(1, "dev1", /*clean=*/false);
    auto c = connect_waiting_for_takeover(core);
    std::string read_buffer = "early/topic/longer/than/sso" + std::string(300, 'b');
    Publish publish;
    publish.topic.borrow(std::string_view(read_buffer).substr(0, 27));
    publish.payload.borrow(std::string_view(read_buffer).substr(27));
    core.core(0).handle_packet(c->client, std::move(publish));
    read_buffer.assign(read_buffer.size(), 'X');  // the next read
    core.core(0).end_step();
    core.settle();
    auto got = subscriber->sent<Publish>();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].topic, "early/topic/longer/than/sso");
    EXPECT_EQ(got[0].payload.view(), std::string(300, 'b'));
}

TEST(Admission, TakeoverOnTheSameLoopClosesTheOldConnectionAndResumesTheSession) {
    CoreHarness core(1);
    auto old = core.connect(0, "dev1", /*clean=*/false);
    core.receive(*old, subscribe("a/b", QoS::at_least_once));
    auto fresh = core.connect(0, "dev1", /*clean=*/false);
    EXPECT_TRUE(old->closed());
    ASSERT_EQ(fresh->sent<Connack>().size(), 1u);
    EXPECT_TRUE(fresh->sent<Connack>()[0].session_present);

    // The subscription came with the session.
    auto publisher = core.connect(0, "pub");
    core.receive(*publisher,
                 Publish{"a/b", Payload(std::string("x")), QoS::at_most_once, false, false, 0, {}});
    EXPECT_EQ(fresh->link.publishes().size(), 1u);
    EXPECT_TRUE(old->link.publishes().empty());
}

TEST(Admission, TakeoverAcrossLoopsMovesTheSessionToTheNewConnectionsLoop) {
    CoreHarness core(2);
    auto old = core.connect(0, "dev1", /*clean=*/false);
    core.receive(*old, subscribe("a/b", QoS::at_least_once));
    auto fresh = core.connect(1, "dev1", /*clean=*/false);
    EXPECT_TRUE(old->closed());
    ASSERT_EQ(fresh->sent<Connack>().size(), 1u);
    EXPECT_TRUE(fresh->sent<Connack>()[0].session_present);

    auto publisher = core.connect(0, "pub");
    core.receive(*publisher,
                 Publish{"a/b", Payload(std::string("x")), QoS::at_least_once, false, false, 7, {}});
    ASSERT_EQ(fresh->link.publishes().size(), 1u);
    EXPECT_EQ(fresh->link.publishes()[0].payload.view(), "x");
}

TEST(Admission, CleanStartDiscardsTheOldSession) {
    CoreHarness core(2);
    auto old = core.connect(0, "dev1", /*clean=*/false);
    core.receive(*old, subscribe("a/b", QoS::at_least_once));
    auto fresh = core.connect(1, "dev1", /*clean=*/true);
    ASSERT_EQ(fresh->sent<Connack>().size(), 1u);
    EXPECT_FALSE(fresh->sent<Connack>()[0].session_present);

    auto publisher = core.connect(0, "pub");
    core.receive(*publisher,
                 Publish{"a/b", Payload(std::string("x")), QoS::at_most_once, false, false, 0, {}});
    EXPECT_TRUE(fresh->link.publishes().empty());
}

TEST(Admission, PersistentSessionGetsWhatWasQueuedWhileOffline) {
    CoreHarness core(2);
    auto sub = core.connect(1, "dev1", /*clean=*/false);
    core.receive(*sub, subscribe("a/b", QoS::at_least_once));
    core.receive(*sub, Disconnect{});
    EXPECT_TRUE(sub->closed());

    auto publisher = core.connect(0, "pub");
    for (std::uint16_t i = 1; i <= 3; ++i)
        core.receive(*publisher,
                     Publish{"a/b", Payload(std::to_string(i)), QoS::at_least_once, false, false, i, {}});
    EXPECT_EQ(publisher->sent<Puback>().size(), 3u);

    auto back = core.connect(0, "dev1", /*clean=*/false);
    ASSERT_EQ(back->link.publishes().size(), 3u);
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(back->link.publishes()[static_cast<std::size_t>(i)].payload.view(), std::to_string(i + 1));
}

std::string levels(std::size_t n) {
    std::string topic = "l";
    for (std::size_t i = 1; i < n; ++i)
        topic += "/l";
    return topic;
}

TEST(Limits, AFilterOfMoreThan200LevelsEndsTheConnection) {
    CoreHarness core(1);
    auto ok = core.connect(0, "ok");
    core.receive(*ok, subscribe(levels(200), QoS::at_most_once));
    EXPECT_EQ(ok->sent<Suback>().size(), 1u);
    EXPECT_FALSE(ok->closed());

    auto deep = core.connect(0, "deep");
    core.receive(*deep, subscribe(levels(201), QoS::at_most_once));
    EXPECT_TRUE(deep->sent<Suback>().empty());
    EXPECT_TRUE(deep->closed());
}

TEST(Limits, APublishTopicOfMoreThan200LevelsEndsTheConnection) {
    CoreHarness core(1);
    auto sub = core.connect(0, "sub");
    core.receive(*sub, subscribe("#", QoS::at_most_once));
    auto deep = core.connect(0, "deep");
    core.receive(*deep,
                 Publish{levels(201), Payload(std::string("x")), QoS::at_most_once, false, false, 0, {}});
    EXPECT_TRUE(deep->closed());
    EXPECT_TRUE(sub->link.publishes().empty());
}

}  // namespace
}  // namespace culex::broker
