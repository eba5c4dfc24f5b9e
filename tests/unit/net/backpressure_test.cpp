// A client that does not read what it is sent: once its unsent output reaches output_buffer_limit, the
// connection stops reading its input (so that the answers to its own packets cannot pile up), and reads
// again once the client has taken its output. Over a stream socket pair with small kernel buffers, so that
// a few hundred kilobytes fill them.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include "loop_fixture.hpp"

namespace culex::net {
namespace {

using namespace culex::protocol;
using Fixture = testing::LoopFixture;

std::size_t discard_input(int fd) {
    char buffer[65536];
    std::size_t total = 0;
    for (;;) {
        ssize_t got = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (got <= 0) return total;
        total += static_cast<std::size_t>(got);
    }
}

TEST_F(Fixture, AClientThatDoesNotReadIsNotReadFromUntilItTakesItsOutput) {
    settings.output_buffer_limit = 64 * 1024;
    std::shared_ptr<Connection> connection;
    int peer = small_buffer_connection(connection);
    Connect hello;
    hello.client_id = "reads-nothing";
    write(peer, encoded(hello));
    run_until([&] { return core.packets.size() == 1; });
    core.packets.clear();
    // Each PINGREQ is answered with 4 KiB, as a subscription to a busy topic would be.
    core.on_packet = [](const broker::ClientPtr& client, const Packet&) {
        client->link->send(
            Publish{"t", Payload(std::string(4096, 'x')), QoS::at_most_once, false, false, 0, {}});
    };

    // One PINGREQ at a time, until the output it does not read reaches the limit.
    std::size_t sent = 0;
    while (connection->unsent_bytes() < settings.output_buffer_limit && sent < 1000) {
        write(peer, encoded(Pingreq{}));
        ++sent;
        run_until([&] { return core.packets.size() == sent; });
    }
    ASSERT_GE(connection->unsent_bytes(), settings.output_buffer_limit);
    std::size_t unsent = connection->unsent_bytes();

    // Now what it sends waits in the socket: nothing more is read, and the output stops growing.
    for (int i = 0; i < 50; ++i)
        write(peer, encoded(Pingreq{}));
    for (int i = 0; i < 20; ++i)
        run_ready();
    EXPECT_EQ(core.packets.size(), sent) << "read while its output waited";
    EXPECT_EQ(connection->unsent_bytes(), unsent);

    // It reads: its output goes out, and its waiting packets are read and answered.
    std::size_t received = 0;
    run_until([&] {
        received += discard_input(peer);
        return core.packets.size() == sent + 50;
    });
    run_until([&] {
        received += discard_input(peer);
        return connection->unsent_bytes() == 0 && received >= (sent + 50) * 4096;
    });
    connection->close_now();
}

}  // namespace
}  // namespace culex::net
