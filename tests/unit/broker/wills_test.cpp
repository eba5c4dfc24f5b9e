// Wills and expiry through the core: a will is published when the connection ends without DISCONNECT (or on
// keepalive timeout), not after DISCONNECT; a delayed will and an offline session's expiry wait for tick().
#include <gtest/gtest.h>

#include "core_harness.hpp"

namespace culex::broker {
namespace {

using namespace culex::protocol;
using testing::CoreHarness;

Will will(std::string topic, std::uint32_t delay = 0) {
    Will w{std::move(topic), Payload(std::string("gone")), QoS::at_most_once, false, {}};
    if (delay) w.properties.will_delay_interval = delay;
    return w;
}

std::unique_ptr<testing::TestClient> watcher(CoreHarness& core, int loop, std::string filter) {
    auto w = core.connect(loop, "watcher", true, ProtocolVersion::v5);
    core.receive(*w, Subscribe{1, {{std::move(filter), QoS::at_most_once}}, {}});
    return w;
}

TEST(Wills, PublishedWhenTheConnectionIsLost) {
    CoreHarness core(2);
    auto w = watcher(core, 1, "wills/#");
    auto dev = core.connect(0, "dev", true, ProtocolVersion::v311, will("wills/dev"));
    core.drop(*dev);
    ASSERT_EQ(w->link.publishes().size(), 1u);
    EXPECT_EQ(w->link.publishes()[0].topic, "wills/dev");
    EXPECT_EQ(w->link.publishes()[0].payload.view(), "gone");
}

TEST(Wills, NotPublishedAfterDisconnect) {
    CoreHarness core(1);
    auto w = watcher(core, 0, "wills/#");
    auto dev = core.connect(0, "dev", true, ProtocolVersion::v311, will("wills/dev"));
    core.receive(*dev, Disconnect{});
    EXPECT_TRUE(dev->closed());
    EXPECT_TRUE(w->link.publishes().empty());
}

TEST(Wills, PublishedOnKeepaliveTimeout) {
    CoreHarness core(1);
    auto w = watcher(core, 0, "wills/#");
    auto dev = core.connect(0, "dev", true, ProtocolVersion::v311, will("wills/dev"));
    core.core(0).handle_timeout(dev->client);
    core.core(0).end_step();
    core.settle();
    EXPECT_TRUE(dev->closed());
    EXPECT_EQ(w->link.publishes().size(), 1u);
}

TEST(Wills, DelayedWillWaitsForItsTimeAndIsCancelledByAReconnection) {
    CoreHarness core(1);
    auto w = watcher(core, 0, "wills/#");
    auto start = std::chrono::steady_clock::now();
    auto connect_persistent = [&] {
        auto c = core.open(0);
        Connect connect;
        connect.version = ProtocolVersion::v5;
        connect.client_id = "dev";
        connect.clean_start = false;
        connect.properties.session_expiry_interval = 3600;
        connect.will = will("wills/dev", 30);
        core.receive(*c, std::move(connect));
        return c;
    };
    auto dev = connect_persistent();
    core.drop(*dev);
    core.tick(start + std::chrono::seconds(10));
    EXPECT_TRUE(w->link.publishes().empty());  // 30 s not over yet

    auto back = connect_persistent();  // cancels the waiting will
    core.tick(start + std::chrono::seconds(40));
    EXPECT_TRUE(w->link.publishes().empty());

    core.drop(*back);
    core.tick(std::chrono::steady_clock::now() + std::chrono::seconds(31));
    EXPECT_EQ(w->link.publishes().size(), 1u);
}

TEST(Expiry, AnOfflineSessionEndsWhenItsExpiryIsOver) {
    CoreHarness core(1);
    auto connect = [&] {
        auto c = core.open(0);
        Connect packet;
        packet.version = ProtocolVersion::v5;
        packet.client_id = "dev";
        packet.clean_start = false;
        packet.properties.session_expiry_interval = 60;
        core.receive(*c, std::move(packet));
        return c;
    };
    auto dev = connect();
    core.receive(*dev, Disconnect{});
    core.tick(std::chrono::steady_clock::now() + std::chrono::seconds(30));
    auto back = connect();
    EXPECT_TRUE(back->sent<Connack>()[0].session_present);  // still there after 30 s
    core.receive(*back, Disconnect{});
    core.tick(std::chrono::steady_clock::now() + std::chrono::seconds(61));
    auto late = connect();
    EXPECT_FALSE(late->sent<Connack>()[0].session_present);  // expired
}

}  // namespace
}  // namespace culex::broker
