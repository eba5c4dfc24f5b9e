// A will as culex_wills keeps it: written by the client's node, read by the survivor that publishes it.
#include <gtest/gtest.h>

#include "cluster/will_keeper.hpp"

#include "cluster/client_ownership.hpp"

namespace culex::cluster {
namespace {

using protocol::QoS;

TEST(KeptWill, ReadsBackTopicPayloadQosRetainPropertiesAndDelay) {
    protocol::Will will;
    will.topic = "wills/a b";
    will.payload = protocol::Payload(std::string("gone\n\0bytes", 11));
    will.qos = QoS::exactly_once;
    will.retain = true;
    will.properties.will_delay_interval = 30;
    will.properties.content_type = "text/plain";
    auto kept = decode_kept_will(encode_kept_will("node-a:00000000000000ff", will));
    ASSERT_TRUE(kept.has_value());
    EXPECT_EQ(kept->home, "node-a:00000000000000ff");
    EXPECT_EQ(kept->delay_seconds, 30u);
    EXPECT_EQ(kept->message.topic, "wills/a b");
    EXPECT_EQ(kept->message.payload.view(), std::string_view("gone\n\0bytes", 11));
    EXPECT_EQ(kept->message.qos, QoS::exactly_once);
    EXPECT_TRUE(kept->message.retain);
    EXPECT_EQ(kept->message.properties->content_type, "text/plain");
    EXPECT_FALSE(kept->message.properties->will_delay_interval.has_value());  // not a PUBLISH property
}

TEST(KeptWill, RefusesWhatItDidNotWrite) {
    EXPECT_FALSE(decode_kept_will(""));
    EXPECT_FALSE(decode_kept_will("node:1 x\n"));
    EXPECT_FALSE(decode_kept_will("node:1 0\n\x30\x05"));  // a PUBLISH cut short
}

TEST(OrphanedWillNodes, NodesWithWillsButNoClaimOnceEachAndNeverThisOne) {
    auto key = [](std::string_view node, std::string_view client) {
        return "w." + ClientOwnership::key_of(node) + "." + ClientOwnership::key_of(client);
    };
    std::vector<std::string> keys = {key("gone", "c1"), key("gone", "c2"),      key("live", "c3"),
                                     key("self", "c4"), key("also-gone", "c5"), "sweep",
                                     "w.not-hex"};
    EXPECT_EQ(orphaned_will_nodes(keys, {"live"}, "self"), (std::vector<std::string>{"also-gone", "gone"}));
    EXPECT_TRUE(orphaned_will_nodes(keys, {"live", "gone", "also-gone"}, "self").empty());
}

}  // namespace
}  // namespace culex::cluster
