// The will a broker hands its cluster (ClusterLink::client_will) carries the delay another node must wait if
// this one dies: the Will Delay Interval, at most the session's expiry, none when the session ends with its
// connection (docs/cluster.md, "Wills of a dead node's clients"); a will that waits out its delay here is
// kept by the cluster until it is published or cancelled.
#include <gtest/gtest.h>

#include <map>

#include "broker/cluster_link.hpp"
#include "core_harness.hpp"

namespace culex::broker {
namespace {

using namespace culex::protocol;
using testing::CoreHarness;

// Records the wills it is given; the rest of the interface does nothing.
class WillRecorder final : public ClusterLink {
  public:
    std::map<std::string, Will> wills;
    std::vector<std::string> waiting;  // connections that ended with their will waiting
    std::vector<std::string> settled;  // wills that waited and were published or cancelled

    void client_will(const std::string& client_id, const Will& will) override { wills[client_id] = will; }
    void publish(const Message&, int, std::string_view) override {}
    void store_held(const Message&, int) override {}
    void releasing_held(int) override {}
    void interest_added(std::string_view) override {}
    void interest_removed(std::string_view) override {}
    void client_connected(const std::string&, std::int64_t, int, bool, bool) override {}
    void client_disconnected(const std::string& client_id, std::int64_t, bool will_waits) override {
        if (will_waits) waiting.push_back(client_id);
    }
    void will_settled(const std::string& client_id) override { settled.push_back(client_id); }
    void session_offline(const ClusterSession&) override {}
    void session_online(const ClusterSession&) override {}
    void session_expired(const std::string&) override {}
    ClusterFigures figures() override { return {}; }
    void sys_figures(std::vector<SysValue>&) override {}
};

std::optional<std::uint32_t> delay_kept(std::optional<std::uint32_t> session_expiry, bool clean_start) {
    CoreHarness core(1);
    WillRecorder cluster;
    core.broker().use_cluster(&cluster);
    auto c = core.open(0);
    Connect connect;
    connect.version = ProtocolVersion::v5;
    connect.client_id = "dev";
    connect.clean_start = clean_start;
    connect.properties.session_expiry_interval = session_expiry;
    connect.will = Will{"wills/dev", Payload(std::string("gone")), QoS::at_least_once, false, {}};
    connect.will->properties.will_delay_interval = 60;
    core.receive(*c, std::move(connect));
    core.broker().use_cluster(nullptr);
    EXPECT_EQ(cluster.wills.count("dev"), 1u);
    return cluster.wills["dev"].properties.will_delay_interval;
}

TEST(ClusterWill, APersistentSessionsWillKeepsItsDelay) {
    EXPECT_EQ(delay_kept(3600, false), 60u);
}

TEST(ClusterWill, TheDelayIsAtMostTheSessionExpiry) {
    EXPECT_EQ(delay_kept(20, false), 20u);
}

TEST(ClusterWill, ASessionThatEndsWithItsConnectionHasNoDelay) {
    EXPECT_EQ(delay_kept(std::nullopt, true), std::nullopt);
}

// A persistent v5 session "dev" with a will delayed 30 s, on a harness whose cluster records.
struct WaitingWill {
    CoreHarness core{1};
    WillRecorder cluster;
    std::unique_ptr<testing::TestClient> connect() {
        auto c = core.open(0);
        Connect connect;
        connect.version = ProtocolVersion::v5;
        connect.client_id = "dev";
        connect.clean_start = false;
        connect.properties.session_expiry_interval = 3600;
        connect.will = Will{"wills/dev", Payload(std::string("gone")), QoS::at_most_once, false, {}};
        connect.will->properties.will_delay_interval = 30;
        core.receive(*c, std::move(connect));
        return c;
    }
    WaitingWill() { core.broker().use_cluster(&cluster); }
    ~WaitingWill() { core.broker().use_cluster(nullptr); }
};

TEST(ClusterWill, AWillThatWaitsIsKeptUntilItIsPublished) {
    WaitingWill w;
    auto start = std::chrono::steady_clock::now();
    auto dev = w.connect();
    w.core.drop(*dev);
    EXPECT_EQ(w.cluster.waiting, (std::vector<std::string>{"dev"}));
    w.core.tick(start + std::chrono::seconds(10));
    EXPECT_TRUE(w.cluster.settled.empty());
    w.core.tick(start + std::chrono::seconds(31));
    EXPECT_EQ(w.cluster.settled, (std::vector<std::string>{"dev"}));
}

TEST(ClusterWill, AReconnectionSettlesAWillThatWaits) {
    WaitingWill w;
    auto dev = w.connect();
    w.core.drop(*dev);
    auto back = w.connect();
    EXPECT_EQ(w.cluster.settled, (std::vector<std::string>{"dev"}));
}

TEST(ClusterWill, ADisconnectLeavesNoWillWaiting) {
    WaitingWill w;
    auto dev = w.connect();
    w.core.receive(*dev, Disconnect{});
    EXPECT_TRUE(w.cluster.waiting.empty());
    EXPECT_TRUE(w.cluster.settled.empty());
}

}  // namespace
}  // namespace culex::broker
