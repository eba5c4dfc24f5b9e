// The remapping table of mosquitto.conf(5) ("topic" entry), row by row, and the filters each side subscribes
// to. The invalid rows are refused by the config parser (tests/unit/config/bridge_config_test.cpp).
#include "bridge/topic_map.hpp"

#include <gtest/gtest.h>

namespace culex::bridge {
namespace {

using config::BridgeDirection;
using config::BridgeTopic;

BridgeTopic rule(std::string pattern, std::string local_prefix, std::string remote_prefix) {
    return BridgeTopic{std::move(pattern), BridgeDirection::both, 0, std::move(local_prefix),
                       std::move(remote_prefix)};
}

struct Row {
    BridgeTopic rule;
    std::string full_local;
    std::string full_remote;
};

TEST(TopicMap, EveryValidRowOfTheManPage) {
    const Row rows[] = {
        {rule("pattern", "L/", "R/"), "L/pattern", "R/pattern"},
        {rule("pattern", "L/", ""), "L/pattern", "pattern"},
        {rule("pattern", "", "R/"), "pattern", "R/pattern"},
        {rule("pattern", "", ""), "pattern", "pattern"},
        {rule("", "local", "remote"), "local", "remote"},
    };
    for (const auto& row : rows) {
        SCOPED_TRACE(row.full_local + " <-> " + row.full_remote);
        EXPECT_EQ(local_filter(row.rule), row.full_local);
        EXPECT_EQ(remote_filter(row.rule), row.full_remote);
        EXPECT_EQ(to_remote(row.rule, row.full_local), row.full_remote);
        EXPECT_EQ(to_local(row.rule, row.full_remote), row.full_local);
    }
}

TEST(TopicMap, WildcardsKeepTheRestOfTheTopic) {
    auto tree = rule("#", "local/topic/", "remote/topic/");
    EXPECT_EQ(to_remote(tree, "local/topic/a/b"), "remote/topic/a/b");
    EXPECT_EQ(to_local(tree, "remote/topic/a/b"), "local/topic/a/b");
    auto level = rule("+/temp", "site/", "");
    EXPECT_EQ(to_remote(level, "site/kitchen/temp"), "kitchen/temp");
    EXPECT_EQ(to_local(level, "kitchen/temp"), "site/kitchen/temp");
}

TEST(TopicMap, TheManPagesExample) {
    // topic clients/total in 0 test/mosquitto/org/ $SYS/broker/
    auto example = rule("clients/total", "test/mosquitto/org/", "$SYS/broker/");
    EXPECT_EQ(remote_filter(example), "$SYS/broker/clients/total");
    EXPECT_EQ(to_local(example, "$SYS/broker/clients/total"), "test/mosquitto/org/clients/total");
}

TEST(TopicMap, TopicsOutsideTheRuleAreNotMapped) {
    auto prefixed = rule("sensors/#", "L/", "R/");
    EXPECT_EQ(to_remote(prefixed, "sensors/a"), std::nullopt);  // no local prefix
    EXPECT_EQ(to_remote(prefixed, "L/other/a"), std::nullopt);
    EXPECT_EQ(to_local(prefixed, "L/sensors/a"), std::nullopt);  // the remote side has R/
    auto single = rule("", "local", "remote");
    EXPECT_EQ(to_remote(single, "local/more"), std::nullopt);
    EXPECT_EQ(to_local(single, "remote/more"), std::nullopt);
}

TEST(TopicMap, DirectionDecidesTheSides) {
    BridgeTopic out{"a", BridgeDirection::out};
    BridgeTopic in{"a", BridgeDirection::in};
    BridgeTopic both{"a", BridgeDirection::both};
    EXPECT_TRUE(goes_out(out));
    EXPECT_FALSE(comes_in(out));
    EXPECT_FALSE(goes_out(in));
    EXPECT_TRUE(comes_in(in));
    EXPECT_TRUE(goes_out(both));
    EXPECT_TRUE(comes_in(both));
}

}  // namespace
}  // namespace culex::bridge
