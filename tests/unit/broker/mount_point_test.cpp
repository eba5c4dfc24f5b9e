// mount_point: what a mounted listener's client names gets the prefix, what it is sent loses it, and what
// lies outside the prefix never reaches it; upgrade_outgoing_qos: deliveries at the subscription's QoS.
#include <gtest/gtest.h>

#include "broker/mount_point.hpp"
#include "core_harness.hpp"

namespace culex::broker {
namespace {

using namespace culex::protocol;
using testing::CoreHarness;
using testing::TestClient;

TEST(MountPoint, TopicsAndFiltersGetThePrefix) {
    EXPECT_EQ(mounted_topic("mnt/", "a/b"), "mnt/a/b");
    EXPECT_EQ(mounted_filter("mnt/", "a/#"), "mnt/a/#");
    EXPECT_EQ(mounted_filter("mnt/", "#"), "mnt/#");
    EXPECT_EQ(mounted_filter("mnt/", "$share/group/a/+"), "$share/group/mnt/a/+");
}

TEST(MountPoint, OnlyTopicsUnderThePrefixAreShownAndWithoutIt) {
    EXPECT_EQ(unmounted_skip("mnt/", "mnt/a"), std::optional<std::size_t>(4));
    EXPECT_EQ(unmounted_skip("mnt/", "mnt/"), std::nullopt) << "it would go out as an empty topic";
    EXPECT_EQ(unmounted_skip("mnt/", "mnt"), std::nullopt);
    EXPECT_EQ(unmounted_skip("mnt/", "other/a"), std::nullopt);
}

// Listener 0 plain, listener 1 mounted at "mnt/".
BrokerSettings two_listeners() {
    BrokerSettings settings;
    settings.listeners = {ListenerRules{}, ListenerRules{.mount_point = "mnt/"}};
    return settings;
}

std::unique_ptr<TestClient> connect_on(CoreHarness& core, int listener, std::string id,
                                       ProtocolVersion version = ProtocolVersion::v311) {
    auto c = core.open(0);
    c->client->listener = listener;
    Connect connect;
    connect.version = version;
    connect.client_id = std::move(id);
    core.receive(*c, std::move(connect));
    return c;
}

Publish publish(std::string topic, QoS qos = QoS::at_most_once, bool retain = false) {
    return Publish{std::move(topic),
                   Payload(std::string("x")),
                   qos,
                   retain,
                   false,
                   qos == QoS::at_most_once ? std::uint16_t{0} : std::uint16_t{1},
                   {}};
}

TEST(MountPoint, AMountedClientPublishesUnderThePrefixAndReadsWithoutIt) {
    CoreHarness core(1, two_listeners());
    auto plain = connect_on(core, 0, "plain");
    auto mounted = connect_on(core, 1, "mounted");
    core.receive(*plain, Subscribe{1, {{"#", QoS::at_most_once}}, {}});
    core.receive(*mounted, Subscribe{1, {{"#", QoS::at_most_once}}, {}});

    core.receive(*mounted, publish("a/b"));
    ASSERT_EQ(plain->sent<Publish>().size(), 1u);
    EXPECT_EQ(plain->sent<Publish>()[0].topic, "mnt/a/b");
    ASSERT_EQ(mounted->sent<Publish>().size(), 1u);
    EXPECT_EQ(mounted->sent<Publish>()[0].topic, "a/b");

    core.receive(*plain, publish("elsewhere"));
    EXPECT_EQ(mounted->sent<Publish>().size(), 1u) << "a topic outside mnt/ reached the mounted client";
}

TEST(MountPoint, RetainedMessagesAreStoredWithThePrefix) {
    CoreHarness core(1, two_listeners());
    auto mounted = connect_on(core, 1, "mounted");
    core.receive(*mounted, publish("state", QoS::at_most_once, true));
    std::vector<MessagePtr> found;
    core.broker().retained().find("#", found);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0]->topic, "mnt/state");
    auto late = connect_on(core, 1, "late");
    core.receive(*late, Subscribe{1, {{"state", QoS::at_most_once}}, {}});
    ASSERT_EQ(late->sent<Publish>().size(), 1u);
    EXPECT_EQ(late->sent<Publish>()[0].topic, "state");
}

TEST(MountPoint, UnsubscribeRemovesTheMountedFilter) {
    CoreHarness core(1, two_listeners());
    auto mounted = connect_on(core, 1, "mounted", ProtocolVersion::v5);
    core.receive(*mounted, Subscribe{1, {{"a", QoS::at_most_once}}, {}});
    core.receive(*mounted, Unsubscribe{2, {"a"}, {}});
    ASSERT_EQ(mounted->sent<Unsuback>().size(), 1u);
    EXPECT_EQ(mounted->sent<Unsuback>()[0].reasons, std::vector<ReasonCode>{ReasonCode::success});
    core.receive(*mounted, publish("a"));
    EXPECT_TRUE(mounted->sent<Publish>().empty());
}

TEST(UpgradeOutgoingQos, DeliversAtTheSubscriptionsQos) {
    BrokerSettings settings;
    settings.upgrade_outgoing_qos = true;
    CoreHarness core(1, settings);
    auto sub = core.connect(0, "sub");
    auto pub = core.connect(0, "pub");
    core.receive(*sub, Subscribe{1, {{"t", QoS::at_least_once}}, {}});
    core.receive(*pub, publish("t"));
    ASSERT_EQ(sub->sent<Publish>().size(), 1u);
    EXPECT_EQ(sub->sent<Publish>()[0].qos, QoS::at_least_once);
}

TEST(UpgradeOutgoingQos, OffTheLowerQosWins) {
    CoreHarness core(1);
    auto sub = core.connect(0, "sub");
    auto pub = core.connect(0, "pub");
    core.receive(*sub, Subscribe{1, {{"t", QoS::at_least_once}}, {}});
    core.receive(*pub, publish("t"));
    ASSERT_EQ(sub->sent<Publish>().size(), 1u);
    EXPECT_EQ(sub->sent<Publish>()[0].qos, QoS::at_most_once);
}

}  // namespace
}  // namespace culex::broker
