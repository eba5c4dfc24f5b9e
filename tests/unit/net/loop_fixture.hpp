// An EventLoop run by the test's own thread, a broker core that records what net tells it, and plain
// connections over AF_UNIX SOCK_SEQPACKET socket pairs: each write the connection makes arrives at the test's
// end as one record, so a test can count writes as well as read bytes.
#pragma once

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "broker/loop_core.hpp"
#include "net/connection.hpp"
#include "net/event_loop.hpp"
#include "protocol/codec.hpp"

namespace culex::net::testing {

struct RecordingCore final : broker::LoopCore {
    void handle_packet(const broker::ClientPtr& client, protocol::Packet&& packet) override {
        in_step_when_called.push_back(loop ? loop->in_step() : false);
        // As the broker would: a CONNECT logs the client in (what net checks before login ends here).
        if (std::holds_alternative<protocol::Connect>(packet))
            client->state = broker::Client::State::connected;
        packets.push_back(packet);
        if (on_packet) on_packet(client, packets.back());
    }
    void handle_bad_packet(const broker::ClientPtr& client, const protocol::DecodeError& error) override {
        errors.push_back(error.message);
        client->link->close();
    }
    void handle_timeout(const broker::ClientPtr& client) override {
        ++timeouts;
        client->link->close();
    }
    void handle_closed(const broker::ClientPtr&) override { ++closed; }
    void end_step() override {
        ++steps_ended;
        packets_at_step_end.push_back(packets.size());
    }
    void tick(std::chrono::steady_clock::time_point) override {}
    void shut_down() override {}

    EventLoop* loop = nullptr;
    std::vector<protocol::Packet> packets;
    std::vector<bool> in_step_when_called;
    std::vector<std::size_t> packets_at_step_end;  // how many packets had come when each step ended
    std::vector<std::string> errors;
    std::function<void(const broker::ClientPtr&, const protocol::Packet&)> on_packet;
    int timeouts = 0;
    int closed = 0;
    int steps_ended = 0;
};

class LoopFixture : public ::testing::Test {
  protected:
    LoopFixture() {
        core.loop = &loop;
        loop.serve(core, settings, open_connections);
    }

    // A plain connection on the loop, started, and logged in (its CONNECT handed to the core, then forgotten)
    // unless `log_in` is false; returns the test's end of its socket.
    int connect(std::shared_ptr<Connection>* out = nullptr, bool log_in = true) {
        int ends[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, ends), 0);
        peers_.push_back(ends[1]);
        ++open_connections;
        auto connection = std::make_shared<Connection>(ends[0], boost::asio::ip::tcp::endpoint{}, loop);
        connection->start(0);
        loop.context().poll();  // its first readiness report (room to write) is behind it
        if (out) *out = connection;
        if (log_in) {
            protocol::Connect hello;
            hello.client_id = "c" + std::to_string(peers_.size());
            write(ends[1], encoded(hello));
            run_until([&] { return !core.packets.empty(); });
            core.packets.clear();
            core.in_step_when_called.clear();
            core.packets_at_step_end.clear();
        }
        return ends[1];
    }
    // A started connection over a stream socket pair whose buffers hold only about 16 KiB each way, so that a
    // test can fill what the socket takes and watch the rest wait; not logged in. Returns the test's end of
    // the socket, which the fixture closes.
    int small_buffer_connection(std::shared_ptr<Connection>& out) {
        int ends[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, ends), 0);
        int small = 16 * 1024;
        ::setsockopt(ends[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
        ::setsockopt(ends[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        peers_.push_back(ends[1]);
        ++open_connections;
        out = std::make_shared<Connection>(ends[0], boost::asio::ip::tcp::endpoint{}, loop);
        out->start(0);
        return ends[1];
    }
    ~LoopFixture() override {
        for (int fd : peers_)
            ::close(fd);
    }

    // Runs the loop until `done` holds, for at most 5 s.
    void run_until(const std::function<bool()>& done) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!done() && std::chrono::steady_clock::now() < deadline)
            loop.context().run_one_for(std::chrono::milliseconds(20));
        ASSERT_TRUE(done()) << "the loop did not get there within 5 s";
    }
    void run_ready() { loop.context().poll(); }

    static void write(int fd, std::string_view bytes) {
        ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
    }
    static std::string encoded(const protocol::Packet& packet,
                               protocol::ProtocolVersion version = protocol::ProtocolVersion::v311) {
        std::string bytes;
        protocol::encode(packet, version, bytes);
        return bytes;
    }
    // Every record waiting at the test's end of the socket, one string per write the connection made.
    static std::vector<std::string> records(int fd) {
        std::vector<std::string> out;
        char buffer[65536];
        for (;;) {
            ssize_t got = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
            if (got <= 0) return out;
            out.emplace_back(buffer, static_cast<std::size_t>(got));
        }
    }
    static bool peer_sees_eof(int fd) {
        char c;
        return ::recv(fd, &c, 1, MSG_DONTWAIT) == 0;
    }

    broker::BrokerSettings settings;
    std::atomic<int> open_connections{0};
    RecordingCore core;
    EventLoop loop{0};

  private:
    std::vector<int> peers_;
};

}  // namespace culex::net::testing
