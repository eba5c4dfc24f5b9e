// The will a broker hands its cluster (ClusterLink::client_will) carries the delay another node must wait if
// this one dies: the Will Delay Interval, at most the session's expiry, none when the session ends with its
// connection (docs/cluster.md, "Wills of a dead node's clients").
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

    void client_will(const std::string& client_id, const Will& will) override { wills[client_id] = will; }
    void publish(const Message&, int, std::string_view) override {}
    void store_held(const Message&, int) override {}
    void releasing_held(int) override {}
    void interest_added(std::string_view) override {}
    void interest_removed(std::string_view) override {}
    void client_connected(const std::string&, std::int64_t, int, bool, bool) override {}
    void client_disconnected(const std::string&, std::int64_t) override {}
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

}  // namespace
}  // namespace culex::broker
