// max_subscriptions_per_client: a session holds at most that many subscriptions; a filter past it is refused
// in the SUBACK (0x80, MQTT 5 0x97 Quota exceeded) and is not in the tree, while replacing a filter it holds
// and subscribing again after an UNSUBSCRIBE still work.
#include <gtest/gtest.h>

#include "core_harness.hpp"

namespace culex::broker {
namespace {

using namespace culex::protocol;
using testing::CoreHarness;

Subscribe subscribe(std::uint16_t id, std::vector<std::string> filters) {
    Subscribe s{id, {}, {}};
    for (auto& filter : filters)
        s.subscriptions.push_back(Subscription{std::move(filter), QoS::at_least_once});
    return s;
}

BrokerSettings limit(std::size_t n) {
    BrokerSettings settings;
    settings.max_subscriptions_per_client = n;
    return settings;
}

TEST(SubscriptionLimit, AFilterPastTheLimitIsRefusedInTheSuback) {
    CoreHarness core(1, limit(2));
    auto c = core.connect(0, "c");
    core.receive(*c, subscribe(1, {"a", "b", "c"}));
    auto subacks = c->sent<Suback>();
    ASSERT_EQ(subacks.size(), 1u);
    EXPECT_EQ(subacks[0].reasons, (std::vector{ReasonCode::granted_qos1, ReasonCode::granted_qos1,
                                               ReasonCode::unspecified_error}));
    EXPECT_EQ(core.broker().subscriptions().size(), 2u);
    EXPECT_FALSE(c->closed());
}

TEST(SubscriptionLimit, Mqtt5HearsQuotaExceeded) {
    CoreHarness core(1, limit(1));
    auto c = core.connect(0, "c", true, ProtocolVersion::v5);
    core.receive(*c, subscribe(1, {"a", "b"}));
    auto subacks = c->sent<Suback>();
    ASSERT_EQ(subacks.size(), 1u);
    EXPECT_EQ(subacks[0].reasons, (std::vector{ReasonCode::granted_qos1, ReasonCode::quota_exceeded}));
}

TEST(SubscriptionLimit, ReplacingAHeldFilterAndSubscribingAfterAnUnsubscribeStillWork) {
    CoreHarness core(1, limit(1));
    auto c = core.connect(0, "c");
    core.receive(*c, subscribe(1, {"a"}));
    core.receive(*c, subscribe(2, {"a"}));  // the same filter again: its options replaced, not a second one
    core.receive(*c, Unsubscribe{3, {"a"}, {}});
    core.receive(*c, subscribe(4, {"b"}));
    auto subacks = c->sent<Suback>();
    ASSERT_EQ(subacks.size(), 3u);
    for (const auto& suback : subacks)
        EXPECT_EQ(suback.reasons, std::vector{ReasonCode::granted_qos1});
    EXPECT_EQ(core.broker().subscriptions().size(), 1u);
}

TEST(SubscriptionLimit, TheLimitIsPerClient) {
    CoreHarness core(1, limit(1));
    auto a = core.connect(0, "a");
    auto b = core.connect(0, "b");
    core.receive(*a, subscribe(1, {"t"}));
    core.receive(*b, subscribe(1, {"t"}));
    EXPECT_EQ(b->sent<Suback>().at(0).reasons, std::vector{ReasonCode::granted_qos1});
}

TEST(SubscriptionLimit, ZeroMeansNoLimit) {
    CoreHarness core(1, limit(0));
    auto c = core.connect(0, "c");
    std::vector<std::string> filters;
    for (int i = 0; i < 100; ++i)
        filters.push_back("t/" + std::to_string(i));
    core.receive(*c, subscribe(1, filters));
    EXPECT_EQ(core.broker().subscriptions().size(), 100u);
}

}  // namespace
}  // namespace culex::broker
