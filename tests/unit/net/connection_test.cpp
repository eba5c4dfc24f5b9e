// net's Connection over a socket pair, with a recording broker core: packets are split, decoded and handed
// over in order within a step; a packet cut across reads waits for its rest; bytes that do not decode and a
// peer that goes away are reported; close() flushes before closing; keepalive ends a silent connection.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "loop_fixture.hpp"

namespace culex::net {
namespace {

using namespace culex::protocol;
using Fixture = testing::LoopFixture;

TEST_F(Fixture, PacketsOfOneReadReachTheCoreInOrderWithinOneStep) {
    int peer = connect(nullptr, /*log_in=*/false);
    Connect connect;
    connect.client_id = "a";
    core.packets_at_step_end.clear();
    write(peer, encoded(connect) + encoded(Pingreq{}) + encoded(Disconnect{}));
    run_until([&] { return core.packets.size() == 3; });
    EXPECT_TRUE(std::holds_alternative<Connect>(core.packets[0]));
    EXPECT_TRUE(std::holds_alternative<Pingreq>(core.packets[1]));
    EXPECT_TRUE(std::holds_alternative<Disconnect>(core.packets[2]));
    EXPECT_EQ(core.in_step_when_called, (std::vector<bool>{true, true, true}));
    // The step ended after all three, not between them.
    EXPECT_FALSE(core.packets_at_step_end.empty());
    EXPECT_THAT(core.packets_at_step_end, ::testing::Each(3u));
}

TEST_F(Fixture, APacketCutAcrossReadsIsHandedOverWhenItsRestArrives) {
    int peer = connect(nullptr, /*log_in=*/false);
    Connect connect;
    connect.client_id = "a-longer-client-id";
    std::string bytes = encoded(connect);
    int steps = core.steps_ended;
    write(peer, bytes.substr(0, 5));
    run_until([&] { return core.steps_ended > steps; });
    EXPECT_TRUE(core.packets.empty());
    write(peer, bytes.substr(5));
    run_until([&] { return core.packets.size() == 1; });
    EXPECT_EQ(std::get<Connect>(core.packets[0]).client_id, "a-longer-client-id");
}

TEST_F(Fixture, WhatTheCoreSendsDuringAStepGoesOutInOneWrite) {
    int peer = connect();
    core.on_packet = [](const broker::ClientPtr& client, const Packet&) {
        client->link->send(Pingresp{});
        client->link->send(Pingresp{});
    };
    write(peer, encoded(Pingreq{}) + encoded(Pingreq{}));
    run_until([&] { return core.packets.size() == 2; });
    auto out = records(peer);
    ASSERT_EQ(out.size(), 1u);  // four PINGRESPs, one write
    EXPECT_EQ(out[0], encoded(Pingresp{}) + encoded(Pingresp{}) + encoded(Pingresp{}) + encoded(Pingresp{}));
}

TEST_F(Fixture, OutputForOtherConnectionsIsWrittenAtTheEndOfTheStepThatMadeIt) {
    std::shared_ptr<Connection> target;
    int target_peer = connect(&target);
    int source_peer = connect();
    // Each packet on the source connection sends to the target, as a routed PUBLISH would.
    core.on_packet = [&](const broker::ClientPtr&, const Packet&) { target->send(Pingresp{}); };
    write(source_peer, encoded(Pingreq{}) + encoded(Pingreq{}) + encoded(Pingreq{}));
    run_until([&] { return core.packets.size() == 3; });
    auto out = records(target_peer);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].size(), 3 * encoded(Pingresp{}).size());
}

TEST_F(Fixture, BytesThatDoNotDecodeAreReportedAndTheConnectionCloses) {
    int peer = connect();
    write(peer, std::string("\x10\xff\xff\xff\xff\x01", 6));  // a remaining length of five bytes
    run_until([&] { return !core.errors.empty(); });
    run_until([&] { return peer_sees_eof(peer); });
    EXPECT_TRUE(core.packets.empty());
}

TEST_F(Fixture, APeerThatGoesAwayIsReportedOnce) {
    std::shared_ptr<Connection> connection;
    int peer = connect(&connection);
    ::shutdown(peer, SHUT_RDWR);
    run_until([&] { return core.closed == 1; });
    run_ready();
    EXPECT_EQ(core.closed, 1);
    EXPECT_EQ(open_connections.load(), 0);
}

TEST_F(Fixture, CloseWritesWhatWasQueuedFirst) {
    std::shared_ptr<Connection> connection;
    int peer = connect(&connection);
    loop.step([&] {
        connection->send(Connack{false, ReasonCode::not_authorized, {}});
        connection->close();
    });
    run_until([&] { return open_connections.load() == 0; });
    auto out = records(peer);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], encoded(Connack{false, ReasonCode::not_authorized, {}}));
    EXPECT_TRUE(peer_sees_eof(peer));
    EXPECT_EQ(core.closed, 0);  // the broker closed it: it is not told again
}

TEST_F(Fixture, KeepaliveEndsASilentConnectionAndSparesAnActiveOne) {
    std::shared_ptr<Connection> connection;
    connect(&connection);
    connection->set_protocol(ProtocolVersion::v311, 10, 0);
    auto now = std::chrono::steady_clock::now();
    EXPECT_TRUE(connection->check_keepalive(now + std::chrono::seconds(14)));  // 1.5 x 10 s not over
    EXPECT_EQ(core.timeouts, 0);
    connection->check_keepalive(now + std::chrono::seconds(16));
    EXPECT_EQ(core.timeouts, 1);
    run_until([&] { return open_connections.load() == 0; });
    EXPECT_FALSE(connection->check_keepalive(now + std::chrono::seconds(17)));  // closed: the set lets it go
}

TEST_F(Fixture, ConnectionSetStopClosesConnectionsThatNeverSentConnect) {
    int first = connect(nullptr, /*log_in=*/false);
    int second = connect(nullptr, /*log_in=*/false);
    loop.connections().stop();
    run_until([&] { return open_connections.load() == 0; });
    EXPECT_TRUE(peer_sees_eof(first));
    EXPECT_TRUE(peer_sees_eof(second));
}

}  // namespace
}  // namespace culex::net

namespace culex::net {
namespace {

using namespace culex::protocol;
using PreLogin = testing::LoopFixture;

TEST_F(PreLogin, AFirstPacketThatIsNotConnectEndsTheConnectionAtItsFirstByte) {
    int peer = connect(nullptr, /*log_in=*/false);
    // A PUBLISH that announces ~256 MB: nothing of it may be buffered.
    write(peer, std::string("\x30\xff\xff\xff\x7f", 5) + std::string(1000, 'x'));
    run_until([&] { return !core.errors.empty(); });
    EXPECT_NE(core.errors[0].find("the first packet is not CONNECT"), std::string::npos) << core.errors[0];
    EXPECT_TRUE(core.packets.empty());
    EXPECT_EQ(loop.preauth_bytes(), 0u);
}

TEST_F(PreLogin, AConnectAnnouncingMoreThanMaxConnectSizeIsRefusedAtItsHeader) {
    settings.max_connect_size = 4096;
    int peer = connect(nullptr, /*log_in=*/false);
    write(peer, std::string("\x10\x80\x80\x04", 4) + std::string(100, 'x'));  // 65,536 bytes announced
    run_until([&] { return !core.errors.empty(); });
    EXPECT_NE(core.errors[0].find("max_connect_size"), std::string::npos) << core.errors[0];
    EXPECT_EQ(loop.preauth_bytes(), 0u);
}

TEST_F(PreLogin, ConnectionsNotLoggedInShareOneBudgetOfBufferedInput) {
    settings.preauth_memory_budget = 100 * 1024;
    loop.serve(core, settings, open_connections);
    int first = connect(nullptr, /*log_in=*/false);
    int second = connect(nullptr, /*log_in=*/false);
    // Each sends the first 60 KB of a CONNECT of 200 KB: the first fits the budget, the second does not.
    std::string start = std::string("\x10\xc0\x9a\x0c", 4) + std::string(60 * 1024, 'x');
    write(first, start);
    run_until([&] { return loop.preauth_bytes() > 0; });
    EXPECT_TRUE(core.errors.empty());
    write(second, start);
    run_until([&] { return !core.errors.empty(); });
    EXPECT_NE(core.errors[0].find("preauth_memory_budget"), std::string::npos) << core.errors[0];
    run_until([&] { return open_connections.load() == 1; });
    EXPECT_LE(loop.preauth_bytes(), settings.preauth_memory_budget);
}

}  // namespace
}  // namespace culex::net
