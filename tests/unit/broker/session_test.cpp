// A session's outgoing QoS 1/2 state: the in-flight window (ours and the client's Receive Maximum), queueing
// while offline, DUP resend on resume, the QoS 2 release, Message Expiry, and Maximum Packet Size.
#include "broker/session.hpp"

#include <gtest/gtest.h>

#include "broker/client.hpp"
#include "fake_link.hpp"

namespace culex::broker {
namespace {

using protocol::QoS;
using testing::FakeLink;

MessagePtr message(std::string payload, std::optional<std::uint32_t> expiry = std::nullopt,
                   Message::Clock::time_point now = Message::Clock::now()) {
    protocol::Publish p;
    p.topic = "t";
    p.payload = protocol::Payload(payload);
    p.qos = QoS::at_least_once;
    p.properties.edit().message_expiry_interval = expiry;
    return std::make_shared<const Message>(std::move(p), now);
}

struct SessionTest : ::testing::Test {
    SessionTest() : session(std::make_shared<SessionAnchor>("c", 0), settings), client(link) {}
    void connect() {
        link.sent.clear();
        session.attach(client);
        session.resume();
    }
    BrokerSettings settings;
    Session session;
    FakeLink link;
    Client client;
};

TEST_F(SessionTest, InflightWindowThenQueueInOrder) {
    settings.max_inflight_messages = 2;
    connect();
    for (int i = 0; i < 5; ++i)
        session.deliver(message(std::to_string(i)), QoS::at_least_once, false, 0);
    auto sent = link.publishes();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(session.inflight_count(), 2u);
    EXPECT_EQ(session.queued_count(), 3u);
    session.on_puback(sent[0].packet_id);
    session.on_puback(sent[1].packet_id);
    sent = link.publishes();
    ASSERT_EQ(sent.size(), 4u);
    EXPECT_EQ(sent[2].payload.view(), "2");
    EXPECT_EQ(sent[3].payload.view(), "3");
    session.on_puback(9999);  // unknown: ignored
    EXPECT_EQ(session.inflight_count(), 2u);
}

TEST_F(SessionTest, ReceiveMaximumOfTheClientLimitsTheWindow) {
    settings.max_inflight_messages = 20;
    session.receive_maximum = 1;
    connect();
    session.deliver(message("a"), QoS::at_least_once, false, 0);
    session.deliver(message("b"), QoS::at_least_once, false, 0);
    EXPECT_EQ(link.publishes().size(), 1u);
    EXPECT_EQ(session.queued_count(), 1u);
}

TEST_F(SessionTest, MaxInflightBytesLimitsTheWindowByPayloadBytes) {
    settings.max_inflight_messages = 20;
    settings.max_inflight_bytes = 10;
    connect();
    session.deliver(message("12345"), QoS::at_least_once, false, 0);
    session.deliver(message("6789"), QoS::exactly_once, false, 0);  // 9 bytes in flight: under 10
    session.deliver(message("ab"), QoS::at_least_once, false, 0);   // 11: the window is full after it
    session.deliver(message("c"), QoS::at_least_once, false, 0);
    auto sent = link.publishes();
    ASSERT_EQ(sent.size(), 3u);
    EXPECT_EQ(session.queued_count(), 1u);
    session.on_pubrec(sent[1].packet_id);  // QoS 2's payload delivered: its 4 bytes leave the window
    sent = link.publishes();
    ASSERT_EQ(sent.size(), 4u);
    EXPECT_EQ(sent[3].payload.view(), "c");
}

TEST_F(SessionTest, MaxInflightBytesStillSendsALargerMessageAlone) {
    settings.max_inflight_bytes = 4;
    connect();
    session.deliver(message("larger than four"), QoS::at_least_once, false, 0);
    session.deliver(message("x"), QoS::at_least_once, false, 0);
    auto sent = link.publishes();
    ASSERT_EQ(sent.size(), 1u);
    session.on_puback(sent[0].packet_id);
    sent = link.publishes();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[1].payload.view(), "x");
    session.on_puback(sent[1].packet_id);
    EXPECT_EQ(session.inflight_count(), 0u);
}

TEST_F(SessionTest, OfflineQueueAndDupResendOnResume) {
    connect();
    session.deliver(message("in flight"), QoS::at_least_once, false, 0);
    session.detach();
    session.deliver(message("queued"), QoS::at_least_once, false, 0);
    session.deliver(message("qos0 missed"), QoS::at_most_once, false, 0);
    connect();
    auto sent = link.publishes();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].payload.view(), "in flight");
    EXPECT_TRUE(sent[0].dup);
    EXPECT_EQ(sent[1].payload.view(), "queued");
    EXPECT_FALSE(sent[1].dup);
}

TEST_F(SessionTest, QueueQos0MessagesKeepsQos0ForAnOfflineSessionInOrderWithinTheLimit) {
    settings.queue_qos0_messages = true;
    settings.max_queued_messages = 2;
    session.expiry.reset();  // persistent (clean session 0): what queue_qos0_messages applies to
    connect();
    session.detach();
    session.deliver(message("first"), QoS::at_least_once, false, 0);
    session.deliver(message("qos0 kept"), QoS::at_most_once, false, 0);
    session.deliver(message("over the limit"), QoS::at_most_once, false, 0);
    connect();
    auto sent = link.publishes();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].payload.view(), "first");
    EXPECT_EQ(sent[1].payload.view(), "qos0 kept");
    EXPECT_EQ(sent[1].qos, QoS::at_most_once);
    EXPECT_EQ(sent[1].packet_id, 0);
}

TEST_F(SessionTest, QueueQos0MessagesDoesNotKeepThemForASessionThatEndsWithItsConnection) {
    settings.queue_qos0_messages = true;
    connect();
    session.detach();
    session.deliver(message("qos0"), QoS::at_most_once, false, 0);
    EXPECT_EQ(session.queued_count(), 0u);
}

TEST_F(SessionTest, QueueLimitDropsNewest) {
    settings.max_queued_messages = 2;
    for (int i = 0; i < 4; ++i)
        session.deliver(message(std::to_string(i)), QoS::at_least_once, false, 0);
    EXPECT_EQ(session.queued_count(), 2u);
}

TEST_F(SessionTest, Qos2ReleaseAfterPubrecAndPubrelResentOnResume) {
    connect();
    session.deliver(message("x"), QoS::exactly_once, false, 0);
    auto id = link.publishes().at(0).packet_id;
    session.on_pubrec(id);
    ASSERT_TRUE(std::holds_alternative<protocol::Pubrel>(link.sent.back()));
    session.detach();
    connect();
    ASSERT_EQ(link.sent.size(), 1u);  // PUBREL again, not the PUBLISH
    EXPECT_EQ(std::get<protocol::Pubrel>(link.sent[0]).packet_id, id);
    session.on_pubcomp(id);
    EXPECT_EQ(session.inflight_count(), 0u);
}

TEST_F(SessionTest, IncomingQos2HeldOnceUntilPubrel) {
    auto m = message("x");
    EXPECT_TRUE(session.hold_incoming(7, m));
    EXPECT_FALSE(session.hold_incoming(7, m));  // a DUP resend
    EXPECT_EQ(session.release_incoming(7), m);
    EXPECT_EQ(session.release_incoming(7), nullptr);
}

TEST_F(SessionTest, ExpiredMessagesAreDroppedAndTheRestCarryTheTimeLeft) {
    auto long_ago = Message::Clock::now() - std::chrono::seconds(100);
    session.deliver(message("expired", 10, long_ago), QoS::at_least_once, false, 0);
    session.deliver(message("fresh", 3600), QoS::at_least_once, false, 0);
    link.version = protocol::ProtocolVersion::v5;
    connect();
    auto sent = link.publishes();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].payload.view(), "fresh");
    ASSERT_TRUE(sent[0].properties->message_expiry_interval);
    EXPECT_LE(*sent[0].properties->message_expiry_interval, 3600u);
    EXPECT_GT(*sent[0].properties->message_expiry_interval, 3500u);
}

TEST_F(SessionTest, TooLargeForTheClientIsDroppedNotRetried) {
    link.max_packet_size = 20;
    connect();
    session.deliver(message(std::string(100, 'x')), QoS::at_least_once, false, 0);
    session.deliver(message("ok"), QoS::at_least_once, false, 0);
    auto sent = link.publishes();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].payload.view(), "ok");
    EXPECT_EQ(session.inflight_count(), 1u);
}

TEST_F(SessionTest, UnacknowledgedSharedMessagesAreTakenForAnotherMember) {
    settings.max_inflight_messages = 2;
    connect();
    auto share = std::make_shared<const std::string>("$share/g/t");
    session.deliver(message("shared, acknowledged"), QoS::at_least_once, false, 0, share);
    session.deliver(message("shared, in flight"), QoS::at_least_once, false, 0, share);
    session.deliver(message("ordinary, queued"), QoS::at_least_once, false, 0);
    session.deliver(message("shared, queued"), QoS::at_least_once, false, 0, share);
    session.on_puback(link.publishes()[0].packet_id);  // a slot frees: "ordinary, queued" goes out
    auto taken = session.take_unacknowledged_shared();
    std::vector<std::string> payloads;
    for (const auto& [m, key] : taken) {
        payloads.emplace_back(m->payload.view());
        EXPECT_EQ(*key, "$share/g/t");
    }
    EXPECT_EQ(payloads, (std::vector<std::string>{"shared, in flight", "shared, queued"}));
    EXPECT_EQ(session.inflight_count(), 1u);  // the ordinary one stays with the session
    EXPECT_EQ(session.queued_count(), 0u);
}

TEST_F(SessionTest, TopicAliasIsAssignedOnlyBySentPublishes) {
    link.version = protocol::ProtocolVersion::v5;
    link.max_packet_size = 40;
    client.extras().outgoing_aliases.set_maximum(1);
    connect();
    session.deliver(message(std::string(100, 'x')), QoS::at_most_once, false, 0);  // dropped: too large
    session.deliver(message("a"), QoS::at_most_once, false, 0);
    session.deliver(message("b"), QoS::at_most_once, false, 0);
    auto sent = link.publishes();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].topic, "t");  // the alias is set by the first PUBLISH that really went out...
    EXPECT_EQ(sent[0].properties->topic_alias, 1);
    EXPECT_EQ(sent[1].topic, "");  // ...and used from then on
    EXPECT_EQ(sent[1].properties->topic_alias, 1);
}

}  // namespace
}  // namespace culex::broker
