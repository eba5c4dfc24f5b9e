// A persistent session's record in culex_sessions: written by one node, read by another (session_directory).
#include <gtest/gtest.h>

#include "cluster/session_record.hpp"

namespace culex::cluster {
namespace {

using protocol::QoS;

TEST(SessionRecord, ReadsBackWhatWasWrittenFiltersWithAnyBytesIncluded) {
    SessionRecord record;
    record.home = "node-a:0123456789abcdef";
    record.home_node = "node-a";
    record.since = 4242;
    record.expires_at_ms = 1'800'000'000'000;
    record.subscriptions.push_back({"a/+/c", {QoS::at_least_once, false, false, 0}});
    record.subscriptions.push_back({"with space/and\nnewline/#", {QoS::exactly_once, true, true, 77}});
    record.subscriptions.push_back({"$share/g/x", {QoS::at_most_once, false, false, 0}});

    auto back = decode_session_record(encode_session_record(record));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->home, record.home);
    EXPECT_EQ(back->home_node, "node-a");
    EXPECT_EQ(back->since, 4242u);
    EXPECT_EQ(back->expires_at_ms, 1'800'000'000'000);
    ASSERT_EQ(back->subscriptions.size(), 3u);
    EXPECT_EQ(back->subscriptions[1].filter, "with space/and\nnewline/#");
    EXPECT_EQ(back->subscriptions[1].options.max_qos, QoS::exactly_once);
    EXPECT_TRUE(back->subscriptions[1].options.no_local);
    EXPECT_TRUE(back->subscriptions[1].options.retain_as_published);
    EXPECT_EQ(back->subscriptions[1].options.subscription_id, 77u);
    EXPECT_EQ(back->subscriptions[2].filter, "$share/g/x");
}

TEST(SessionRecord, SaysWhetherItsClientIsConnectedAndItsExpiryInterval) {
    SessionRecord online;
    online.home = "b:00000000000000ff";
    online.home_node = "b";
    online.online = true;
    online.expiry_seconds = 3600;
    auto back = decode_session_record(encode_session_record(online));
    ASSERT_TRUE(back.has_value());
    EXPECT_TRUE(back->online);
    EXPECT_EQ(back->expiry_seconds, 3600u);

    SessionRecord offline;  // and a record of the previous slice, without these lines, reads as offline
    back = decode_session_record(encode_session_record(offline));
    ASSERT_TRUE(back.has_value());
    EXPECT_FALSE(back->online);
    EXPECT_FALSE(back->expiry_seconds.has_value());
    EXPECT_FALSE(decode_session_record("expiry 4294967296\n"));  // past MQTT's 32 bits
}

TEST(SessionRecord, NamesTheNodeAndTheRunOfItsHome) {
    EXPECT_EQ(node_of_home("node:with:colons:0123456789abcdef"), "node:with:colons");
    EXPECT_EQ(incarnation_of_home("node:with:colons:0123456789abcdef"), "0123456789abcdef");
    EXPECT_EQ(incarnation_of_home("no-incarnation"), "");
}

TEST(SessionRecord, ASweepDeletesOnlyExpiredRecordsOfDeadHomesAndMarksTheirConnectedOnes) {
    SessionRecord offline;
    offline.expires_at_ms = 1000;
    EXPECT_EQ(sweep_action(offline, false, 1000), SweepAction::remove);  // expired, home dead
    EXPECT_EQ(sweep_action(offline, true, 5000), SweepAction::keep);     // its home ends it itself
    EXPECT_EQ(sweep_action(offline, false, 999), SweepAction::keep);     // not yet
    offline.expires_at_ms = 0;
    EXPECT_EQ(sweep_action(offline, false, 5000), SweepAction::keep);  // never expires
    SessionRecord online;
    online.online = true;
    online.expiry_seconds = 60;
    EXPECT_EQ(sweep_action(online, false, 5000), SweepAction::mark_offline);  // expires from now on
    EXPECT_EQ(sweep_action(online, true, 5000), SweepAction::keep);
    online.expiry_seconds.reset();
    EXPECT_EQ(sweep_action(online, false, 5000), SweepAction::keep);  // never expires
}

TEST(SessionRecord, RefusesWhatItDidNotWrite) {
    EXPECT_FALSE(decode_session_record("home a\nsince x\n"));
    EXPECT_FALSE(decode_session_record("home a"));            // cut short
    EXPECT_FALSE(decode_session_record("sub 3 0 0 0 61\n"));  // QoS 3
    EXPECT_FALSE(decode_session_record("sub 1 0 0 0 6\n"));   // half a byte of filter
    EXPECT_FALSE(decode_session_record("what 1\n"));
}

}  // namespace
}  // namespace culex::cluster
