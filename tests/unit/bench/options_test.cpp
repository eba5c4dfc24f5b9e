// plan(): each scenario's topology, and the option combinations it refuses with a message naming the fix.
#include <gtest/gtest.h>

#include "bench/options.hpp"

namespace culex::bench {
namespace {

Topology planned(Scenario scenario, unsigned clients = 0) {
    Options o;
    o.scenario = scenario;
    o.clients = clients;
    auto t = plan(o);
    EXPECT_TRUE(t) << (t ? "" : t.error().message);
    return t ? *t : Topology{};
}

TEST(BenchOptions, ScenariosBecomeTopologies) {
    auto p2p = planned(Scenario::p2p, 8);
    EXPECT_EQ(p2p.publishers, 8u);
    EXPECT_EQ(p2p.subscribers, 8u);
    EXPECT_EQ(p2p.deliveries_per_message, 1u);

    auto fanin = planned(Scenario::fanin, 8);
    EXPECT_EQ(fanin.publishers, 8u);
    EXPECT_EQ(fanin.subscribers, 1u);
    EXPECT_EQ(fanin.deliveries_per_message, 1u);

    auto fanout = planned(Scenario::fanout, 16);
    EXPECT_EQ(fanout.publishers, 1u);
    EXPECT_EQ(fanout.subscribers, 16u);
    EXPECT_EQ(fanout.deliveries_per_message, 16u);

    auto shared = planned(Scenario::shared, 4);
    EXPECT_EQ(shared.publishers, 1u);
    EXPECT_EQ(shared.subscribers, 4u);
    EXPECT_EQ(shared.deliveries_per_message, 1u);
    EXPECT_TRUE(shared.shared_group);

    auto conn = planned(Scenario::conn, 500);
    EXPECT_EQ(conn.connections, 500u);
    EXPECT_EQ(conn.publishers + conn.subscribers, 0u);

    EXPECT_EQ(planned(Scenario::pub, 3).deliveries_per_message, 0u);  // nobody of ours listens
    EXPECT_EQ(planned(Scenario::sub, 2).subscribers, 2u);
}

TEST(BenchOptions, DefaultsMatchTheIssueMatrix) {
    EXPECT_EQ(planned(Scenario::p2p).publishers, 8u);
    EXPECT_EQ(planned(Scenario::fanin).publishers, 8u);
    EXPECT_EQ(planned(Scenario::fanout).subscribers, 16u);
}

TEST(BenchOptions, RefusesWhatCannotWork) {
    Options o;
    o.payload_size = 16;
    auto small = plan(o);
    ASSERT_FALSE(small);
    EXPECT_NE(small.error().message.find("-s 24"), std::string::npos) << small.error().message;

    o = {};
    o.publishers = 2;  // only shared has a separate publisher count
    ASSERT_FALSE(plan(o));

    o = {};
    o.threads = 0;
    EXPECT_FALSE(plan(o));

    o = {};
    o.duration = 0;
    EXPECT_FALSE(plan(o));
    o.count = 10;
    EXPECT_TRUE(plan(o));

    o = {};
    o.qos = protocol::QoS::at_least_once;
    o.inflight = 70000;
    EXPECT_FALSE(plan(o));
}

TEST(BenchOptions, PersistentSubscribersNeedSubscribers) {
    Options o;
    o.persistent_subscribers = true;
    EXPECT_TRUE(plan(o));  // p2p: its subscribers keep their sessions
    o.scenario = Scenario::fanout;
    EXPECT_TRUE(plan(o));
    for (auto s : {Scenario::pub, Scenario::conn}) {
        o.scenario = s;
        auto refused = plan(o);
        ASSERT_FALSE(refused) << to_string(s);
        EXPECT_NE(refused.error().message.find("--disable-clean-session"), std::string::npos)
            << refused.error().message;
    }
}

TEST(BenchOptions, InflightDefaultsByQos) {
    Options o;
    EXPECT_EQ(effective_inflight(o), 1000u);
    o.qos = protocol::QoS::exactly_once;
    EXPECT_EQ(effective_inflight(o), 100u);
    o.inflight = 7;
    EXPECT_EQ(effective_inflight(o), 7u);
}

TEST(BenchOptions, PublishersAndSubscribersMayUseTheirOwnPorts) {
    Options o;
    o.port = 1883;
    EXPECT_EQ(publisher_port(o), 1883);
    EXPECT_EQ(subscriber_port(o), 1883);
    o.pub_port = 2001;
    o.sub_port = 2002;
    EXPECT_EQ(publisher_port(o), 2001);
    EXPECT_EQ(subscriber_port(o), 2002);
    EXPECT_TRUE(plan(o));
    o.port = 0;  // both given: -p is not needed by a scenario without idle connections
    EXPECT_TRUE(plan(o));
    o.sub_port = 0;
    auto refused = plan(o);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("--sub-port"), std::string::npos) << refused.error().message;
}

TEST(BenchOptions, BrokerPidsMustBeProcessIds) {
    Options o;
    o.broker_pids = {12, 34};
    EXPECT_TRUE(plan(o));
    o.broker_pids = {12, -1};
    auto refused = plan(o);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("--broker-pid -1"), std::string::npos) << refused.error().message;
}

TEST(BenchOptions, NamesRoundTrip) {
    for (auto s : {Scenario::conn, Scenario::pub, Scenario::sub, Scenario::fanin, Scenario::fanout,
                   Scenario::p2p, Scenario::shared})
        EXPECT_EQ(parse_scenario(to_string(s)), s);
    EXPECT_FALSE(parse_scenario("fan-out"));
    EXPECT_EQ(parse_version("mqttv5"), protocol::ProtocolVersion::v5);
    EXPECT_EQ(parse_version("3.1.1"), protocol::ProtocolVersion::v311);
    EXPECT_EQ(parse_version("311"), protocol::ProtocolVersion::v311);
    EXPECT_EQ(parse_version("mqttv31"), protocol::ProtocolVersion::v31);
    EXPECT_FALSE(parse_version("6"));
}

}  // namespace
}  // namespace culex::bench
