// A message going to many connections of a loop: each still makes one write per step, holding its own
// packets and the shared payload in order, byte for byte what encode_delivery makes; over a socket that takes
// only part of it, the rest goes out as the socket makes room, and unsent_bytes counts the shared bytes not
// yet written (output_buffer_limit's measure).
#include <gtest/gtest.h>
#include <sys/socket.h>

#include "loop_fixture.hpp"

namespace culex::net {
namespace {

using namespace culex::protocol;
using Fixture = testing::LoopFixture;

std::string delivery(const Publish& message, const DeliveryFields& fields) {
    std::string out;
    encode_delivery(message, fields, ProtocolVersion::v311, out);
    return out;
}

Publish message(std::string topic, std::size_t size) {
    return Publish{std::move(topic), Payload(std::string(size, 'p')), QoS::at_most_once, false, false, 0, {}};
}

TEST_F(Fixture, EachSubscriberGetsOneWriteOfItsPacketsAndTheSharedPayloads) {
    std::vector<std::shared_ptr<Connection>> connections(3);
    std::vector<int> peers;
    for (auto& connection : connections)
        peers.push_back(connect(&connection));
    Publish big = message("fan/big", 6000);
    Publish small = message("fan/small", 100);
    DeliveryFields retained{QoS::at_most_once, true, false, 0};
    loop.step([&] {
        for (auto& connection : connections) {
            connection->send(Pingresp{});
            ASSERT_TRUE(connection->send_publish(big, {}));
            ASSERT_TRUE(connection->send_publish(small, {}));
            ASSERT_TRUE(connection->send_publish(big, retained));
        }
    });
    std::string expected =
        encoded(Pingresp{}) + delivery(big, {}) + delivery(small, {}) + delivery(big, retained);
    for (int peer : peers) {
        auto out = records(peer);
        ASSERT_EQ(out.size(), 1u);
        EXPECT_EQ(out[0], expected);
    }
}

TEST_F(Fixture, WhatTheSocketDidNotTakeGoesOutAsItMakesRoomAndIsCountedUnsent) {
    std::shared_ptr<Connection> connection;
    int peer = small_buffer_connection(connection);
    Publish big = message("fan/partial", 8000);
    std::string expected;
    loop.step([&] {
        for (int i = 0; i < 40; ++i) {
            connection->send(Pingresp{});
            ASSERT_TRUE(connection->send_publish(big, {}));
            expected += encoded(Pingresp{}) + delivery(big, {});
        }
    });
    // The socket took part of it: the rest, shared payloads included, waits and is counted.
    std::size_t unsent = connection->unsent_bytes();
    EXPECT_GT(unsent, 0u);
    EXPECT_LT(unsent, expected.size());
    std::string received;
    run_until([&] {
        char buffer[4096];  // small reads, so that the writer resumes mid-piece
        for (;;) {
            ssize_t got = ::recv(peer, buffer, sizeof buffer, MSG_DONTWAIT);
            if (got <= 0) break;
            received.append(buffer, static_cast<std::size_t>(got));
        }
        return received.size() >= expected.size();
    });
    EXPECT_EQ(received, expected);
    EXPECT_EQ(connection->unsent_bytes(), 0u);
    connection->close_now();
}

}  // namespace
}  // namespace culex::net
