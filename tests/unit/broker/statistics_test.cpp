// The figures of $SYS and /metrics as the broker core counts them: logins, PUBLISHes by QoS, drops by cause,
// sessions online and offline, queues (sampled by tick), summed over loops; and PUBLISH into $SYS denied.
#include <gtest/gtest.h>

#include "core_harness.hpp"

namespace culex::broker {
namespace {

using namespace culex::protocol;
using testing::CoreHarness;

Publish publish(std::string topic, std::string payload, QoS qos = QoS::at_most_once, std::uint16_t id = 0) {
    return Publish{std::move(topic), Payload(std::move(payload)), qos, false, false, id, {}};
}

std::uint64_t drops(const Statistics& s, DropCause cause) {
    return s.drops[static_cast<std::size_t>(cause)];
}

TEST(Statistics, CountsWhatTheLoopsDidSummedWhenRead) {
    BrokerSettings settings;
    settings.max_queued_messages = 1;
    CoreHarness core(2, settings);
    auto sub = core.connect(1, "sub", /*clean=*/false);
    core.receive(*sub, Subscribe{1, {Subscription{"t", QoS::at_least_once}}, {}});
    auto pub = core.connect(0, "pub");
    core.receive(*pub, publish("t", "abc"));
    core.receive(*pub, publish("t", "defg", QoS::at_least_once, 1));

    Statistics s = core.broker().statistics();
    EXPECT_EQ(s.total.connected, 2u);
    EXPECT_EQ(s.total.connects, 2u);
    EXPECT_EQ(s.max_connected, 2u);
    EXPECT_EQ(s.total.publish_received[0], 1u);
    EXPECT_EQ(s.total.publish_received[1], 1u);
    EXPECT_EQ(s.total.publish_bytes_received, 7u);
    EXPECT_EQ(s.sessions, 2u);
    EXPECT_EQ(s.subscriptions, 1u);
    EXPECT_EQ(s.dropped(), 0u);

    // Offline, its session kept: one message queued, the next one over max_queued_messages dropped.
    core.drop(*sub);
    core.receive(*pub, publish("t", "queued", QoS::at_least_once, 2));
    core.receive(*pub, publish("t", "dropped", QoS::at_least_once, 3));
    core.tick(std::chrono::steady_clock::now());
    s = core.broker().statistics();
    EXPECT_EQ(s.total.connected, 1u);
    EXPECT_EQ(s.disconnected_sessions(), 1u);
    EXPECT_EQ(s.max_connected, 2u);
    EXPECT_EQ(s.queued_messages, 1u);
    EXPECT_EQ(s.queued_bytes, 6u);
    EXPECT_EQ(drops(s, DropCause::queue_full), 1u);
}

TEST(Statistics, PublishIntoSysIsDeniedAndCounted) {
    CoreHarness core(1);
    auto watcher = core.connect(0, "watcher");
    core.receive(*watcher, Subscribe{1, {Subscription{"$SYS/#", QoS::at_most_once}}, {}});
    auto pub = core.connect(0, "pub", true, ProtocolVersion::v5);
    core.receive(*pub, publish("$SYS/broker/uptime", "forged", QoS::at_least_once, 7));
    core.receive(*pub, publish("$SYSTEM/x", "forged"));
    EXPECT_TRUE(watcher->sent<Publish>().empty());
    auto acks = pub->sent<Puback>();
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_EQ(acks[0].reason, ReasonCode::not_authorized);
    EXPECT_EQ(drops(core.broker().statistics(), DropCause::denied), 2u);
    EXPECT_EQ(core.broker().statistics().retained, 0u);
}

TEST(Statistics, SysTopicsArePublishedEverySysIntervalAsRetained) {
    BrokerSettings settings;
    settings.sys_interval = std::chrono::seconds(10);
    settings.version = "culex version test";
    CoreHarness core(2, settings);
    auto watcher = core.connect(1, "watcher");
    core.receive(*watcher, Subscribe{1, {Subscription{"$SYS/broker/version", QoS::at_most_once}}, {}});
    auto start = std::chrono::steady_clock::now();
    core.tick(start);
    auto got = watcher->sent<Publish>();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].payload.view(), "culex version test");
    core.tick(start + std::chrono::seconds(5));   // not due yet
    core.tick(start + std::chrono::seconds(10));  // due, but the version did not change
    EXPECT_EQ(watcher->sent<Publish>().size(), 1u);
    EXPECT_GT(core.broker().statistics().retained, 40u);  // every $SYS topic, retained
}

}  // namespace
}  // namespace culex::broker
