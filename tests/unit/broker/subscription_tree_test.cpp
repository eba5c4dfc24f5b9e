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
    for (const auto& m : out) {
        if (m.anchor == s) EXPECT_EQ(m.options.max_qos, QoS::at_least_once);
    }
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

TEST(SubscriptionTree, EverySubscriptionIdentifierOfASessionInOneDelivery) {
    SubscriptionTree tree;
    auto s = anchor("s");
    tree.subscribe("a/#", s, {QoS::at_most_once, false, false, 7});
    tree.subscribe("a/+", s, {QoS::at_least_once, false, false, 9});
    tree.subscribe("a/b", s, {QoS::at_most_once});  // no identifier
    std::vector<SubscriptionMatch> out;
    tree.match("a/b", out);
    ASSERT_EQ(out.size(), 1u);
    auto ids = out[0].ids.span();
    EXPECT_EQ(std::vector<std::uint32_t>(ids.begin(), ids.end()).size(), 2u);
    EXPECT_TRUE(std::find(ids.begin(), ids.end(), 7u) != ids.end());
    EXPECT_TRUE(std::find(ids.begin(), ids.end(), 9u) != ids.end());
}

TEST(SubscriptionTree, MoreIdentifiersThanFitMakeAnotherCopyAndLoseNone) {
    SubscriptionTree tree;
    auto s = anchor("s");
    const char* filters[] = {"#", "a/#", "a/+", "+/b", "a/b", "+/+"};
    for (std::uint32_t i = 0; i < 6; ++i)
        tree.subscribe(filters[i], s, {QoS::at_most_once, false, false, i + 1});
    std::vector<SubscriptionMatch> out;
    tree.match("a/b", out);
    ASSERT_EQ(out.size(), 2u);
    std::vector<std::uint32_t> all;
    for (const auto& m : out)
        for (auto id : m.ids.span())
            all.push_back(id);
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, (std::vector<std::uint32_t>{1, 2, 3, 4, 5, 6}));
}

// The members picked for `count` messages on `topic`, in order.
std::vector<std::string> picks(const SubscriptionTree& tree, std::string_view topic, int count) {
    std::vector<std::string> who;
    for (int i = 0; i < count; ++i) {
        std::vector<SubscriptionMatch> out;
        tree.match(topic, out);
        for (const auto& m : out)
            if (m.share) who.push_back(m.anchor->client_id);
    }
    return who;
}

TEST(SubscriptionTree, SharedGroupTakesTurnsAmongOnlineMembers) {
    SubscriptionTree tree;
    auto a = anchor("a"), b = anchor("b"), c = anchor("c");
    a->online = b->online = c->online = true;
    for (const auto& m : {a, b, c})
        EXPECT_TRUE(tree.subscribe("$share/g/jobs/+", m, {QoS::at_least_once}));
    auto who = picks(tree, "jobs/1", 6);
    ASSERT_EQ(who.size(), 6u);  // exactly one member per message
    for (const auto& id : {"a", "b", "c"})
        EXPECT_EQ(std::count(who.begin(), who.end(), id), 2) << id;

    c->online = false;  // an offline member is skipped while others are online
    who = picks(tree, "jobs/1", 4);
    EXPECT_EQ(std::count(who.begin(), who.end(), "c"), 0);
    a->online = b->online = false;  // ...but still gets messages when nobody is online
    EXPECT_EQ(picks(tree, "jobs/1", 3).size(), 3u);
}

TEST(SubscriptionTree, SharedSubscriptionIsSeparateFromOrdinaryOnesAndFromOtherGroups) {
    SubscriptionTree tree;
    auto a = anchor("a"), b = anchor("b");
    a->online = b->online = true;
    tree.subscribe("$share/g1/t", a, {});
    tree.subscribe("$share/g2/t", b, {});
    tree.subscribe("t", a, {});
    std::vector<SubscriptionMatch> out;
    tree.match("t", out);
    ASSERT_EQ(out.size(), 3u);  // a's own subscription, g1's pick (a) and g2's pick (b)
    int shared = 0;
    for (const auto& m : out) {
        if (m.share) ++shared;
    }
    EXPECT_EQ(shared, 2);
    EXPECT_EQ(tree.size(), 3u);

    EXPECT_TRUE(tree.unsubscribe("$share/g1/t", a.get()));
    EXPECT_FALSE(tree.unsubscribe("$share/g1/t", a.get()));
    EXPECT_FALSE(tree.unsubscribe("$share/g2/t", a.get()));  // not a member
    out.clear();
    tree.match("t", out);
    EXPECT_EQ(out.size(), 2u);
}

TEST(SubscriptionTree, PickSharedSkipsTheDepartedMember) {
    SubscriptionTree tree;
    auto a = anchor("a"), b = anchor("b");
    tree.subscribe("$share/g/t/#", a, {QoS::exactly_once});
    tree.subscribe("$share/g/t/#", b, {QoS::at_least_once});
    for (int i = 0; i < 4; ++i) {
        auto other = tree.pick_shared("$share/g/t/#", a.get());
        ASSERT_TRUE(other);
        EXPECT_EQ(other->anchor, b);
        EXPECT_EQ(other->options.max_qos, QoS::at_least_once);
        ASSERT_TRUE(other->share);
        EXPECT_EQ(*other->share, "$share/g/t/#");
    }
    tree.unsubscribe("$share/g/t/#", b.get());
    EXPECT_FALSE(tree.pick_shared("$share/g/t/#", a.get()));
    EXPECT_FALSE(tree.pick_shared("$share/nobody/t/#", nullptr));
}

}  // namespace
}  // namespace culex::broker
