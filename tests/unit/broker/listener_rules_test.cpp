// What mosquitto.conf's listener options and clientid_prefixes change for the clients of a listener:
// max_qos, max_topic_alias, use_username_as_clientid; and the global clientid_prefixes.
#include <gtest/gtest.h>

#include "core_harness.hpp"

namespace culex::broker {
namespace {

using namespace culex::protocol;
using testing::CoreHarness;

BrokerSettings with_listener(ListenerRules rules) {
    BrokerSettings settings;
    settings.listeners = {rules};
    return settings;
}

std::unique_ptr<testing::TestClient> connect_as(CoreHarness& core, std::string id,
                                                std::optional<std::string> user,
                                                ProtocolVersion version = ProtocolVersion::v311) {
    auto c = core.open(0);
    Connect connect;
    connect.version = version;
    connect.client_id = std::move(id);
    connect.username = std::move(user);
    core.receive(*c, std::move(connect));
    return c;
}

Publish publish(std::string topic, QoS qos, std::uint16_t id = 0) {
    return Publish{std::move(topic), Payload(std::string("x")), qos, false, false, id, {}};
}

TEST(ClientIdPrefixes, OnlyIdsWithThePrefixConnect) {
    BrokerSettings settings;
    settings.clientid_prefixes = "ok-";
    CoreHarness core(1, settings);
    auto good = core.connect(0, "ok-sensor");
    ASSERT_EQ(good->sent<Connack>().size(), 1u);
    EXPECT_EQ(good->sent<Connack>()[0].reason, ReasonCode::success);
    auto bad = core.connect(0, "sensor");
    ASSERT_EQ(bad->sent<Connack>().size(), 1u);
    EXPECT_EQ(bad->sent<Connack>()[0].reason, ReasonCode::not_authorized);
    EXPECT_TRUE(bad->closed());
}

TEST(UseUsernameAsClientId, TheUserNamesTheSessionSoTheSameUserTakesOver) {
    CoreHarness core(1, with_listener({.use_username_as_clientid = true}));
    auto first = connect_as(core, "device-a", "alice");
    ASSERT_EQ(first->sent<Connack>().size(), 1u);
    EXPECT_EQ(first->sent<Connack>()[0].reason, ReasonCode::success);
    auto second = connect_as(core, "device-b", "alice");
    ASSERT_EQ(second->sent<Connack>().size(), 1u);
    EXPECT_EQ(second->sent<Connack>()[0].reason, ReasonCode::success);
    EXPECT_TRUE(first->closed()) << "both are 'alice': the second took the session over";
    auto other = connect_as(core, "device-a", "bob");
    EXPECT_FALSE(other->closed());
    EXPECT_FALSE(second->closed()) << "a different user with alice's old client id is another session";
}

TEST(UseUsernameAsClientId, NoUserNameIsNotAuthorised) {
    CoreHarness core(1, with_listener({.use_username_as_clientid = true}));
    auto c = connect_as(core, "device-a", std::nullopt, ProtocolVersion::v5);
    ASSERT_EQ(c->sent<Connack>().size(), 1u);
    EXPECT_EQ(c->sent<Connack>()[0].reason, ReasonCode::not_authorized);
    EXPECT_TRUE(c->closed());
}

TEST(MaxQos, Mqtt5IsToldAndSubscriptionsAreGrantedAtMost) {
    CoreHarness core(1, with_listener({.max_qos = 1}));
    auto c = core.connect(0, "dev", true, ProtocolVersion::v5);
    ASSERT_EQ(c->sent<Connack>().size(), 1u);
    EXPECT_EQ(c->sent<Connack>()[0].properties.maximum_qos, std::optional<std::uint8_t>(1));
    core.receive(*c, Subscribe{1, {{"t/#", QoS::exactly_once}}, {}});
    ASSERT_EQ(c->sent<Suback>().size(), 1u);
    EXPECT_EQ(c->sent<Suback>()[0].reasons, std::vector<ReasonCode>{ReasonCode::granted_qos1});
}

TEST(MaxQos, APublishAboveItEndsTheConnection) {
    CoreHarness core(1, with_listener({.max_qos = 1}));
    auto c = core.connect(0, "dev", true, ProtocolVersion::v5);
    core.receive(*c, publish("t", QoS::at_least_once, 1));
    EXPECT_FALSE(c->closed());
    core.receive(*c, publish("t", QoS::exactly_once, 2));
    EXPECT_TRUE(c->closed());
    ASSERT_EQ(c->sent<Disconnect>().size(), 1u);
    EXPECT_EQ(c->sent<Disconnect>()[0].reason, ReasonCode::qos_not_supported);
}

TEST(MaxQos, DefaultListenerHasNoMaximumQosInConnack) {
    CoreHarness core(1);
    auto c = core.connect(0, "dev", true, ProtocolVersion::v5);
    ASSERT_EQ(c->sent<Connack>().size(), 1u);
    EXPECT_FALSE(c->sent<Connack>()[0].properties.maximum_qos.has_value());
    EXPECT_EQ(c->sent<Connack>()[0].properties.topic_alias_maximum, std::optional<std::uint16_t>(10));
}

TEST(MaxTopicAlias, ConnackSaysItAndAnAliasAboveItEndsTheConnection) {
    CoreHarness core(1, with_listener({.max_topic_alias = 3}));
    auto c = core.connect(0, "dev", true, ProtocolVersion::v5);
    ASSERT_EQ(c->sent<Connack>().size(), 1u);
    EXPECT_EQ(c->sent<Connack>()[0].properties.topic_alias_maximum, std::optional<std::uint16_t>(3));
    auto aliased = [](std::uint16_t alias) {
        Publish p = publish("t", QoS::at_most_once);
        p.properties.edit().topic_alias = alias;
        return p;
    };
    core.receive(*c, aliased(3));
    EXPECT_FALSE(c->closed());
    core.receive(*c, aliased(4));
    EXPECT_TRUE(c->closed());
    ASSERT_EQ(c->sent<Disconnect>().size(), 1u);
    EXPECT_EQ(c->sent<Disconnect>()[0].reason, ReasonCode::topic_alias_invalid);
}

TEST(MaxTopicAlias, ZeroMeansNoneAndConnackLeavesItOut) {
    CoreHarness core(1, with_listener({.max_topic_alias = 0}));
    auto c = core.connect(0, "dev", true, ProtocolVersion::v5);
    ASSERT_EQ(c->sent<Connack>().size(), 1u);
    EXPECT_FALSE(c->sent<Connack>()[0].properties.topic_alias_maximum.has_value());
    Publish p = publish("t", QoS::at_most_once);
    p.properties.edit().topic_alias = 1;
    core.receive(*c, std::move(p));
    EXPECT_TRUE(c->closed());
}

}  // namespace
}  // namespace culex::broker
