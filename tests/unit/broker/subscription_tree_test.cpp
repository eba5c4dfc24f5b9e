// The subscription tree: matching per the spec's rules (4.7), one entry per session at the highest QoS,
// unsubscribe, and $-topics.
#include "broker/subscription_tree.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace culex::broker {
namespace {

using protocol::QoS;

AnchorPtr anchor(const std::string& id) {
    return std::make_shared<SessionAnchor>(id, 0);
}

std::vector<std::string> matching(const SubscriptionTree& tree, std::string_view topic) {
    std::vector<SubscriptionMatch> out;
    tree.match(topic, out);
    std::vector<std::string> ids;
    for (const auto& m : out)
        ids.push_back(m.anchor->client_id);
    std::sort(ids.begin(), ids.end());
    return ids;
}

struct Case {
    const char* filter;
    const char* topic;
    bool matches;
};

class TreeMatches : public ::testing::TestWithParam<Case> {};

TEST_P(TreeMatches, AsTheSpecSays) {
    SubscriptionTree tree;
    tree.subscribe(GetParam().filter, anchor("s"), {});
    EXPECT_EQ(matching(tree, GetParam().topic).size(), GetParam().matches ? 1u : 0u)
        << GetParam().filter << " vs " << GetParam().topic;
}

INSTANTIATE_TEST_SUITE_P(
    SpecExamples, TreeMatches,
    ::testing::Values(Case{"sport/tennis/player1/#", "sport/tennis/player1", true},
                      Case{"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
                      Case{"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
                      Case{"sport/#", "sport", true}, Case{"#", "sport/tennis", true},
                      Case{"sport/tennis/+", "sport/tennis/player1", true},
                      Case{"sport/tennis/+", "sport/tennis/player1/ranking", false},
                      Case{"sport/+", "sport", false}, Case{"sport/+", "sport/", true},
                      Case{"+/+", "/finance", true}, Case{"/+", "/finance", true},
                      Case{"+", "/finance", false}, Case{"#", "$SYS/broker", false},
                      Case{"+/monitor/Clients", "$SYS/monitor/Clients", false},
                      Case{"$SYS/#", "$SYS/broker", true},
                      Case{"$SYS/monitor/+", "$SYS/monitor/Clients", true}, Case{"a/b", "a/b", true},
                      Case{"a/b", "a/b/c", false}, Case{"a//b", "a//b", true}, Case{"a/+/b", "a//b", true}));

TEST(SubscriptionTree, OneEntryPerSessionAtTheHighestQoS) {
    SubscriptionTree tree;
    auto s = anchor("s");
    tree.subscribe("a/#", s, {QoS::at_most_once});
    tree.subscribe("a/+", s, {QoS::exactly_once});
    tree.subscribe("a/b", s, {QoS::at_least_once});
    std::vector<SubscriptionMatch> out;
    tree.match("a/b", out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].options.max_qos, QoS::exactly_once);
}

TEST(SubscriptionTree, SubscribeReplacesAndUnsubscribeRemoves) {
    SubscriptionTree tree;
    auto s = anchor("s"), t = anchor("t");
    EXPECT_TRUE(tree.subscribe("x/+", s, {QoS::at_most_once}));
    EXPECT_FALSE(tree.subscribe("x/+", s, {QoS::at_least_once}));  // same filter: options replaced
    EXPECT_TRUE(tree.subscribe("x/#", t, {}));
    EXPECT_EQ(tree.size(), 2u);
    std::vector<SubscriptionMatch> out;
    tree.match("x/y", out);
    for (const auto& m : out)
        if (m.anchor == s) EXPECT_EQ(m.options.max_qos, QoS::at_least_once);
    EXPECT_TRUE(tree.unsubscribe("x/+", s.get()));
    EXPECT_FALSE(tree.unsubscribe("x/+", s.get()));
    EXPECT_EQ(matching(tree, "x/y"), std::vector<std::string>{"t"});
    EXPECT_TRUE(tree.unsubscribe("x/#", t.get()));
    EXPECT_TRUE(matching(tree, "x/y").empty());
    EXPECT_EQ(tree.size(), 0u);
}

TEST(SubscriptionTree, ManySessionsOnOneFilter) {
    SubscriptionTree tree;
    std::vector<AnchorPtr> anchors;
    for (int i = 0; i < 100; ++i) {
        anchors.push_back(anchor("s" + std::to_string(i)));
        tree.subscribe(i % 2 ? "fan/+" : "fan/out", anchors.back(), {});
    }
    EXPECT_EQ(matching(tree, "fan/out").size(), 100u);
    EXPECT_EQ(matching(tree, "fan/other").size(), 50u);
}

}  // namespace
}  // namespace culex::broker
