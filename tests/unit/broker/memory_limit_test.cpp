// memory_limit: while the sampled heap is over it, a PUBLISH is dropped and its client disconnected (MQTT 5:
// DISCONNECT 0x89 Server busy), a new CONNECT is refused (CONNACK Server busy; 3 for 3.1.1), and a PUBLISH
// that clears a retained message still passes; once a sample finds the heap below it, all is served again.
// The heap is a number the test sets (MemoryGuard::measure_with).
#include <gtest/gtest.h>

#include "core_harness.hpp"

namespace culex::broker {
namespace {

using namespace culex::protocol;
using testing::CoreHarness;

Publish publish(std::string topic, std::string payload, bool retain = false) {
    return Publish{std::move(topic), Payload(std::move(payload)), QoS::at_most_once, retain, false, 0, {}};
}

Subscribe subscribe(std::string filter) {
    return Subscribe{1, {Subscription{std::move(filter), QoS::at_most_once}}, {}};
}

struct MemoryLimitTest : ::testing::Test {
    static BrokerSettings limited() {
        BrokerSettings settings;
        settings.memory_limit = 1'000'000;
        return settings;
    }
    MemoryLimitTest() {
        core.broker().memory().measure_with([this] { return heap; });
    }
    void tick() { core.tick(std::chrono::steady_clock::now()); }

    std::size_t heap = 0;
    CoreHarness core{1, limited()};
};

TEST_F(MemoryLimitTest, OverTheLimitAPublishIsDroppedAndItsClientDisconnected) {
    auto sub = core.connect(0, "sub");
    core.receive(*sub, subscribe("t"));
    auto pub = core.connect(0, "pub", true, ProtocolVersion::v5);
    heap = 2'000'000;
    tick();
    EXPECT_TRUE(core.broker().memory().over());
    core.receive(*pub, publish("t", "dropped"));
    EXPECT_TRUE(pub->closed());
    EXPECT_EQ(pub->sent<Disconnect>().at(0).reason, ReasonCode::server_busy);
    EXPECT_TRUE(sub->link.publishes().empty());
    EXPECT_FALSE(sub->closed());  // a subscriber is not the one adding to the heap
}

TEST_F(MemoryLimitTest, OverTheLimitANewClientIsRefused) {
    heap = 2'000'000;
    tick();
    auto c = core.connect(0, "late");
    EXPECT_EQ(c->sent<Connack>().at(0).reason, ReasonCode::server_busy);
    EXPECT_TRUE(c->closed());
}

TEST_F(MemoryLimitTest, ClearingARetainedMessagePassesOverTheLimit) {
    auto pub = core.connect(0, "pub");
    core.receive(*pub, publish("r", "kept", true));
    heap = 2'000'000;
    tick();
    core.receive(*pub, publish("r", "", true));
    EXPECT_FALSE(pub->closed());
    heap = 0;
    tick();
    auto sub = core.connect(0, "sub");
    core.receive(*sub, subscribe("r"));
    EXPECT_TRUE(sub->link.publishes().empty()) << "the retained message was not cleared";
}

TEST_F(MemoryLimitTest, BelowTheLimitAgainAllIsServed) {
    auto sub = core.connect(0, "sub");
    core.receive(*sub, subscribe("t"));
    heap = 2'000'000;
    tick();
    heap = 10;
    tick();
    EXPECT_FALSE(core.broker().memory().over());
    auto pub = core.connect(0, "pub");
    core.receive(*pub, publish("t", "served"));
    EXPECT_FALSE(pub->closed());
    ASSERT_EQ(sub->link.publishes().size(), 1u);
}

TEST_F(MemoryLimitTest, PublishedBytesTriggerASampleBetweenTicks) {
    auto pub = core.connect(0, "pub");
    heap = 2'000'000;  // not sampled yet: the flag is clear
    core.receive(*pub, publish("t", "small"));
    EXPECT_FALSE(pub->closed());
    // A 32nd of the limit taken in since the last sample: this PUBLISH samples, and is refused.
    core.receive(*pub, publish("t", std::string(core.broker().memory().sample_every(), 'x')));
    EXPECT_TRUE(pub->closed());
}

TEST(MemoryLimit, NoLimitNeverSamples) {
    CoreHarness core(1);
    bool sampled = false;
    core.broker().memory().measure_with([&] {
        sampled = true;
        return std::size_t{1} << 40;
    });
    auto pub = core.connect(0, "pub");
    core.receive(*pub, publish("t", std::string(1 << 20, 'x')));
    core.tick(std::chrono::steady_clock::now());
    EXPECT_FALSE(sampled);
    EXPECT_FALSE(pub->closed());
}

}  // namespace
}  // namespace culex::broker
