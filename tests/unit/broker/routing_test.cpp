// Routing through the core: a PUBLISH is matched once and delivered to every subscriber, on its own loop
// directly and on other loops in one hand-over per step; QoS 1 and 2 flows from the publisher; retained
// messages; No Local.
#include <gtest/gtest.h>

#include "core_harness.hpp"

namespace culex::broker {
namespace {

using namespace culex::protocol;
using testing::CoreHarness;

Subscribe subscribe(std::string filter, QoS qos, bool no_local = false) {
    Subscription s{std::move(filter), qos};
    s.no_local = no_local;
    return Subscribe{1, {s}, {}};
}

Publish publish(std::string topic, std::string payload, QoS qos = QoS::at_most_once, std::uint16_t id = 0,
                bool retain = false) {
    return Publish{std::move(topic), Payload(std::move(payload)), qos, retain, false, id, {}};
}

TEST(Routing, EverySubscriberOnEveryLoopGetsTheMessageOnce) {
    CoreHarness core(3);
    std::vector<std::unique_ptr<testing::TestClient>> subs;
    for (int loop = 0; loop < 3; ++loop) {
        subs.push_back(core.connect(loop, "sub" + std::to_string(loop)));
        core.receive(*subs.back(), subscribe("sensors/+/temp", QoS::at_most_once));
    }
    auto other = core.connect(1, "other");
    core.receive(*other, subscribe("sensors/x/humidity", QoS::at_most_once));

    auto pub = core.connect(0, "pub");
    core.receive(*pub, publish("sensors/kitchen/temp", "21.5"));
    for (const auto& s : subs) {
        ASSERT_EQ(s->link.publishes().size(), 1u);
        EXPECT_EQ(s->link.publishes()[0].topic, "sensors/kitchen/temp");
        EXPECT_EQ(s->link.publishes()[0].payload.view(), "21.5");
    }
    EXPECT_TRUE(other->link.publishes().empty());
}

TEST(Routing, OtherLoopsGetTheStepsMessagesInOneHandOverWhenTheStepEnds) {
    CoreHarness core(2);
    auto sub = core.connect(1, "sub");
    core.receive(*sub, subscribe("t", QoS::at_most_once));
    auto pub = core.connect(0, "pub");

    // Three PUBLISHes read in one step: nothing crosses before the step ends...
    for (int i = 0; i < 3; ++i)
        core.core(0).handle_packet(pub->client, publish("t", std::to_string(i)));
    EXPECT_TRUE(core.executor(1).tasks.empty());
    // ... then one task on the target loop carries all three, in order.
    core.core(0).end_step();
    EXPECT_EQ(core.executor(1).tasks.size(), 1u);
    core.settle();
    ASSERT_EQ(sub->link.publishes().size(), 3u);
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(sub->link.publishes()[static_cast<std::size_t>(i)].payload.view(), std::to_string(i));
}

TEST(Routing, SameLoopDeliveryNeedsNoTask) {
    CoreHarness core(2);
    auto sub = core.connect(0, "sub");
    core.receive(*sub, subscribe("t", QoS::at_most_once));
    auto pub = core.connect(0, "pub");
    core.core(0).handle_packet(pub->client, publish("t", "x"));
    EXPECT_EQ(sub->link.publishes().size(), 1u);
    EXPECT_TRUE(core.executor(0).tasks.empty());
    EXPECT_TRUE(core.executor(1).tasks.empty());
}

TEST(Routing, QoS1IsAcknowledgedAndDeliveredAtTheSubscribersQoS) {
    CoreHarness core(2);
    auto sub0 = core.connect(1, "sub0");
    core.receive(*sub0, subscribe("t", QoS::at_most_once));
    auto sub1 = core.connect(1, "sub1");
    core.receive(*sub1, subscribe("t", QoS::at_least_once));
    auto pub = core.connect(0, "pub");
    core.receive(*pub, publish("t", "x", QoS::at_least_once, 9));
    ASSERT_EQ(pub->sent<Puback>().size(), 1u);
    EXPECT_EQ(pub->sent<Puback>()[0].packet_id, 9);
    ASSERT_EQ(sub0->link.publishes().size(), 1u);
    EXPECT_EQ(sub0->link.publishes()[0].qos, QoS::at_most_once);
    ASSERT_EQ(sub1->link.publishes().size(), 1u);
    EXPECT_EQ(sub1->link.publishes()[0].qos, QoS::at_least_once);
    EXPECT_NE(sub1->link.publishes()[0].packet_id, 0);
}

TEST(Routing, QoS2IsHeldUntilPubrelAndDeliveredOnceEvenIfResent) {
    CoreHarness core(1);
    auto sub = core.connect(0, "sub");
    core.receive(*sub, subscribe("t", QoS::exactly_once));
    auto pub = core.connect(0, "pub");
    core.receive(*pub, publish("t", "x", QoS::exactly_once, 5));
    ASSERT_EQ(pub->sent<Pubrec>().size(), 1u);
    EXPECT_TRUE(sub->link.publishes().empty());  // not before PUBREL

    Publish again = publish("t", "x", QoS::exactly_once, 5);
    again.dup = true;
    core.receive(*pub, again);
    EXPECT_EQ(pub->sent<Pubrec>().size(), 2u);

    core.receive(*pub, Pubrel{5});
    ASSERT_EQ(pub->sent<Pubcomp>().size(), 1u);
    EXPECT_EQ(sub->link.publishes().size(), 1u);
    core.receive(*pub, Pubrel{5});  // a resent PUBREL: completed again, nothing delivered
    EXPECT_EQ(pub->sent<Pubcomp>().size(), 2u);
    EXPECT_EQ(sub->link.publishes().size(), 1u);
}

TEST(Routing, RetainedMessageReachesALaterSubscriberWithTheRetainFlag) {
    CoreHarness core(2);
    auto pub = core.connect(0, "pub");
    core.receive(*pub, publish("status", "up", QoS::at_most_once, 0, /*retain=*/true));
    auto sub = core.connect(1, "sub");
    core.receive(*sub, subscribe("status", QoS::at_most_once));
    ASSERT_EQ(sub->link.publishes().size(), 1u);
    EXPECT_TRUE(sub->link.publishes()[0].retain);
    EXPECT_EQ(sub->link.publishes()[0].payload.view(), "up");

    // An empty retained payload clears it.
    core.receive(*pub, publish("status", "", QoS::at_most_once, 0, true));
    auto late = core.connect(1, "late");
    core.receive(*late, subscribe("status", QoS::at_most_once));
    EXPECT_TRUE(late->link.publishes().empty());
}

TEST(Routing, NoLocalKeepsAClientsOwnMessagesFromIt) {
    CoreHarness core(1);
    auto c = core.connect(0, "c", true, ProtocolVersion::v5);
    core.receive(*c, subscribe("t", QoS::at_most_once, /*no_local=*/true));
    core.receive(*c, publish("t", "mine"));
    EXPECT_TRUE(c->link.publishes().empty());
    auto other = core.connect(0, "other", true, ProtocolVersion::v5);
    core.receive(*other, publish("t", "theirs"));
    EXPECT_EQ(c->link.publishes().size(), 1u);
}

}  // namespace
}  // namespace culex::broker
