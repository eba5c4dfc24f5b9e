// $SYS/broker/...: every topic the first time, then only those whose text changed; load averages.
#include "broker/sys_tree.hpp"

#include <gtest/gtest.h>

#include <map>

namespace culex::broker {
namespace {

std::map<std::string, std::string> as_map(const std::vector<SysValue>& values) {
    std::map<std::string, std::string> out;
    for (const auto& v : values)
        out[v.topic] = v.value;
    return out;
}

TEST(SysTopics, OnlyABridgesStateIsOpenToClients) {
    EXPECT_TRUE(is_sys_topic("$SYS/broker/uptime"));
    EXPECT_TRUE(is_sys_topic("$SYSTEM/x"));
    EXPECT_FALSE(is_sys_topic("sys/x"));
    EXPECT_FALSE(is_sys_topic("$SYS/broker/connection/site.a/state"))
        << "a bridge's notification (Mosquitto's)";
    EXPECT_TRUE(is_sys_topic("$SYS/broker/connection/site.a/state/x"));
    EXPECT_TRUE(is_sys_topic("$SYS/broker/connection/site.a/other"));
    EXPECT_TRUE(is_sys_topic("$SYS/broker/connection//state"));
    EXPECT_TRUE(is_sys_topic("$SYS/broker/connection/state"));
}

TEST(SysTree, FirstUpdateGivesEveryTopicWithMosquittosNames) {
    SysTree tree("culex version 9");
    Statistics s;
    s.uptime = std::chrono::seconds(7);
    s.total.connected = 2;
    s.sessions = 3;
    s.total.publish_received = {4, 1, 0};
    s.total.publish_bytes_received = 50;
    s.retained = 1;
    s.queued_messages = 2;
    auto v = as_map(tree.update(s, 0));
    EXPECT_EQ(v["$SYS/broker/version"], "culex version 9");
    EXPECT_EQ(v["$SYS/broker/uptime"], "7 seconds");
    EXPECT_EQ(v["$SYS/broker/clients/connected"], "2");
    EXPECT_EQ(v["$SYS/broker/clients/total"], "3");
    EXPECT_EQ(v["$SYS/broker/clients/disconnected"], "1");
    EXPECT_EQ(v["$SYS/broker/publish/messages/received"], "5");
    EXPECT_EQ(v["$SYS/broker/publish/bytes/received"], "50");
    EXPECT_EQ(v["$SYS/broker/messages/stored"], "3");
    EXPECT_EQ(v["$SYS/broker/retained messages/count"], "1");
    EXPECT_EQ(v["$SYS/broker/load/publish/received/1min"], "0.00");
    EXPECT_TRUE(v.contains("$SYS/broker/load/connections/15min"));
    EXPECT_TRUE(v.contains("$SYS/broker/heap/maximum"));
    EXPECT_EQ(v.size(), 52u);  // 25 figures and 9 loads of 3 averages
}

TEST(SysTree, LaterUpdatesGiveOnlyWhatChanged) {
    SysTree tree("v");
    Statistics s;
    tree.update(s, 0);
    s.uptime = std::chrono::seconds(10);
    auto v = as_map(tree.update(s, 10));
    EXPECT_EQ(v, (std::map<std::string, std::string>{{"$SYS/broker/uptime", "10 seconds"}}));
    EXPECT_TRUE(tree.update(s, 10).empty());
}

TEST(SysTree, LoadIsAMovingAverageOfTheRatePerMinute) {
    SysTree tree("v");
    Statistics s;
    tree.update(s, 0);
    s.total.publish_received[0] = 600;  // 600 in 60 s: 600 a minute
    auto v = as_map(tree.update(s, 60));
    // Over one minute the 1-minute average covers 1 - e^-1 of the way from 0 to 600, the others less.
    EXPECT_EQ(v["$SYS/broker/load/publish/received/1min"], "379.27");
    EXPECT_EQ(v["$SYS/broker/load/publish/received/5min"], "108.76");
    EXPECT_EQ(v["$SYS/broker/load/publish/received/15min"], "38.70");
    EXPECT_FALSE(v.contains("$SYS/broker/load/publish/sent/1min"));  // still 0.00
}

}  // namespace
}  // namespace culex::broker
