// What the broker holds for a client that does not keep up: QoS 0 to a client whose socket has not taken
// output_buffer_limit bytes is dropped; QoS 1/2 wait in the in-flight window and the queue, which
// max_queued_messages and max_queued_bytes bound; and a client that catches up gets what was kept, in order.
#include <gtest/gtest.h>

#include "core_harness.hpp"

namespace culex::broker {
namespace {

using namespace culex::protocol;
using testing::CoreHarness;

Subscribe subscribe(std::string filter, QoS qos) {
    return Subscribe{1, {Subscription{std::move(filter), qos}}, {}};
}

Publish publish(std::string topic, std::string payload, QoS qos = QoS::at_most_once, std::uint16_t id = 0) {
    return Publish{std::move(topic), Payload(std::move(payload)), qos, false, false, id, {}};
}

BrokerSettings with(auto&& change) {
    BrokerSettings settings;
    change(settings);
    return settings;
}

TEST(SlowConsumer, QoS0ToAClientThatStoppedReadingIsDroppedPastTheOutputLimit) {
    CoreHarness core(1, with([](BrokerSettings& s) { s.output_buffer_limit = 1000; }));
    auto sub = core.connect(0, "sub");
    core.receive(*sub, subscribe("t", QoS::at_most_once));
    auto pub = core.connect(0, "pub");

    core.receive(*pub, publish("t", "kept"));
    sub->link.unsent = 1000;  // its socket took nothing of the last 1000 bytes
    core.receive(*pub, publish("t", "dropped"));
    sub->link.unsent = 999;
    core.receive(*pub, publish("t", "kept again"));

    auto got = sub->link.publishes();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].payload.view(), "kept");
    EXPECT_EQ(got[1].payload.view(), "kept again");
}

TEST(SlowConsumer, OtherSubscribersStillGetWhatASlowOneMisses) {
    CoreHarness core(2, with([](BrokerSettings& s) { s.output_buffer_limit = 1000; }));
    auto slow = core.connect(0, "slow");
    auto fast = core.connect(1, "fast");
    core.receive(*slow, subscribe("t", QoS::at_most_once));
    core.receive(*fast, subscribe("t", QoS::at_most_once));
    slow->link.unsent = 5000;
    auto pub = core.connect(0, "pub");
    for (int i = 0; i < 10; ++i)
        core.receive(*pub, publish("t", std::to_string(i)));
    EXPECT_TRUE(slow->link.publishes().empty());
    EXPECT_EQ(fast->link.publishes().size(), 10u);
}

TEST(SlowConsumer, QoS1PastTheWindowWaitsInTheQueueUpToMaxQueuedMessages) {
    CoreHarness core(1, with([](BrokerSettings& s) {
                         s.max_inflight_messages = 2;
                         s.max_queued_messages = 3;
                     }));
    auto sub = core.connect(0, "sub");
    core.receive(*sub, subscribe("t", QoS::at_least_once));
    auto pub = core.connect(0, "pub");
    for (int i = 0; i < 10; ++i)
        core.receive(*pub,
                     publish("t", std::to_string(i), QoS::at_least_once, static_cast<std::uint16_t>(i + 1)));
    // Two in flight, three queued, five dropped; the publisher got its ten PUBACKs all the same.
    auto sent = sub->link.publishes();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(pub->sent<Puback>().size(), 10u);
    // The client catches up: the queued three follow, in order, and nothing else.
    for (int round = 0; round < 4; ++round) {
        auto now = sub->link.publishes();
        for (std::size_t i = sent.size() - 2; i < now.size(); ++i)
            core.receive(*sub, Puback{now[i].packet_id});
        sent = sub->link.publishes();
    }
    std::vector<std::string> payloads;
    for (const auto& p : sub->link.publishes())
        payloads.emplace_back(p.payload.view());
    EXPECT_EQ(payloads, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
}

TEST(SlowConsumer, MaxQueuedBytesBoundsTheQueueByPayload) {
    CoreHarness core(1, with([](BrokerSettings& s) {
                         s.max_queued_messages = 0;  // no limit by count
                         s.max_queued_bytes = 20;  // queued while fewer are: two of 10 bytes fit, a third not
                     }));
    auto sub = core.connect(0, "sub", false);
    core.receive(*sub, subscribe("t", QoS::at_least_once));
    core.drop(*sub);  // offline: everything for it queues
    auto pub = core.connect(0, "pub");
    for (int i = 0; i < 4; ++i)
        core.receive(*pub, publish("t", "0123456789", QoS::at_least_once, static_cast<std::uint16_t>(i + 1)));

    auto back = core.connect(0, "sub", false);
    EXPECT_EQ(back->link.publishes().size(), 2u);
}

TEST(SlowConsumer, TheQueuesBytesAreGivenBackAsItDrains) {
    CoreHarness core(1, with([](BrokerSettings& s) {
                         s.max_queued_messages = 0;
                         s.max_queued_bytes = 20;
                     }));
    auto sub = core.connect(0, "sub", false);
    core.receive(*sub, subscribe("t", QoS::at_least_once));
    auto pub = core.connect(0, "pub");
    std::uint16_t id = 0;
    // Three rounds of two queued messages each: were the bytes of delivered ones still counted, the second
    // round would already be refused.
    for (int round = 0; round < 3; ++round) {
        core.drop(*sub);
        for (int i = 0; i < 2; ++i)
            core.receive(*pub, publish("t", "0123456789", QoS::at_least_once, ++id));
        sub = core.connect(0, "sub", false);
        auto got = sub->link.publishes();
        ASSERT_EQ(got.size(), 2u) << "round " << round;
        for (const auto& p : got)
            core.receive(*sub, Puback{p.packet_id});
    }
}

TEST(SlowConsumer, AnEventLoopThatIsBehindGetsNoMoreQoS0ThanTheTransitLimitButEveryQoS1) {
    // Each delivery in transit counts 64 bytes plus topic and payload: 1 + 35 + 64 = 100 here.
    CoreHarness core(2, with([](BrokerSettings& s) { s.max_arriving_bytes = 300; }));
    auto sub = core.connect(1, "sub");
    core.receive(*sub, subscribe("t", QoS::at_least_once));
    auto pub = core.connect(0, "pub");
    // Loop 1 runs nothing meanwhile: every step of loop 0 hands it another batch that waits.
    std::uint16_t id = 0;
    for (int step = 0; step < 5; ++step) {
        core.core(0).handle_packet(pub->client, publish("t", std::string(35, 'a' + step)));
        core.core(0).handle_packet(pub->client, publish("t", "q1", QoS::at_least_once, ++id));
        core.core(0).end_step();
        core.executor(0).run_one();
    }
    core.settle();
    std::size_t qos0 = 0, qos1 = 0;
    for (const auto& p : sub->link.publishes())
        ++(p.qos == QoS::at_most_once ? qos0 : qos1);
    // Two QoS 0 of 100 bytes and their QoS 1 companions fit under 300; the rest of the QoS 0 are dropped.
    EXPECT_EQ(qos0, 2u);
    EXPECT_EQ(qos1, 5u);

    // Once the loop has caught up, QoS 0 flows again.
    core.receive(*pub, publish("t", "again"));
    EXPECT_EQ(sub->link.publishes().back().payload.view(), "again");
}

}  // namespace
}  // namespace culex::broker
