// Test doubles for the broker's two seams: a ClientLink that records what the broker sends (decoded back, so
// tests compare packets, not bytes), and a LoopExecutor whose tasks the test runs when it chooses, each as a
// step of its loop (LoopCore::end_step after it), as net runs them.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "broker/client_link.hpp"
#include "broker/loop_core.hpp"
#include "broker/loop_executor.hpp"
#include "protocol/codec.hpp"

namespace culex::broker::testing {

class FakeLink : public ClientLink {
  public:
    void send(const protocol::Packet& packet) override { sent.push_back(packet); }
    bool send_publish(const protocol::Publish& message, const protocol::DeliveryFields& fields) override {
        std::string bytes;
        std::size_t size = protocol::encode_delivery(message, fields, version, bytes);
        if (max_packet_size != 0 && size > max_packet_size) return false;
        auto frame = protocol::next_frame(bytes);
        sent.push_back(*protocol::decode(**frame, version));
        return true;
    }
    void close() override { closed = true; }
    std::string peer() const override { return peer_; }
    std::size_t unsent_bytes() const override { return unsent; }
    void set_protocol(protocol::ProtocolVersion v, std::uint16_t, std::uint32_t max) override {
        version = v;
        max_packet_size = max;
    }

    // The PUBLISHes sent so far, in order.
    std::vector<protocol::Publish> publishes() const {
        std::vector<protocol::Publish> out;
        for (const auto& p : sent)
            if (auto* publish = std::get_if<protocol::Publish>(&p)) out.push_back(*publish);
        return out;
    }

    std::vector<protocol::Packet> sent;
    bool closed = false;
    std::size_t unsent = 0;  // what the test says the socket has not taken yet
    protocol::ProtocolVersion version = protocol::ProtocolVersion::v311;
    std::uint32_t max_packet_size = 0;

  private:
    std::string peer_ = "127.0.0.1:5555";
};

class ManualExecutor : public LoopExecutor {
  public:
    void post(std::move_only_function<void()> task) override { tasks.push_back(std::move(task)); }
    // Runs the oldest task, as a step; false when there was none.
    bool run_one() {
        if (tasks.empty()) return false;
        auto task = std::move(tasks.front());
        tasks.pop_front();
        task();
        if (core) core->end_step();
        return true;
    }
    std::deque<std::move_only_function<void()>> tasks;
    LoopCore* core = nullptr;  // set once the broker exists
};

}  // namespace culex::broker::testing
