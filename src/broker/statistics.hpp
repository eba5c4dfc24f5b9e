// The broker's figures for $SYS and /metrics, read at one moment: the event loops' counters
// (loop_counters.hpp) summed, and what the broker-wide structures hold (subscriptions, retained messages,
// sessions, the heap). Reading costs a few loads per loop and listener and takes the locks of the
// subscription tree, the retained store and the session registry briefly: done once per sys_interval and per
// scrape, never per message.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "broker/loop_counters.hpp"

namespace culex::broker {

class Broker;

// One listener's traffic, or all of them together.
struct TrafficFigures {
    std::uint64_t connected = 0;  // clients logged in now
    std::uint64_t connects = 0;   // logins since start
    std::uint64_t sockets = 0;    // connections accepted since start
    std::uint64_t packets_received = 0;
    std::uint64_t packets_sent = 0;
    std::uint64_t bytes_received = 0;
    std::uint64_t bytes_sent = 0;
    std::array<std::uint64_t, 3> publish_received{};  // by QoS
    std::array<std::uint64_t, 3> publish_sent{};
    std::uint64_t publish_bytes_received = 0;
    std::uint64_t publish_bytes_sent = 0;

    std::uint64_t publishes_received() const {
        return publish_received[0] + publish_received[1] + publish_received[2];
    }
    std::uint64_t publishes_sent() const { return publish_sent[0] + publish_sent[1] + publish_sent[2]; }
    TrafficFigures& operator+=(const TrafficFigures& other);
};

struct Statistics {
    std::chrono::seconds uptime{0};
    TrafficFigures total;
    std::vector<TrafficFigures> by_listener;
    std::array<std::uint64_t, kDropCauses> drops{};
    std::uint64_t max_connected = 0;  // the most clients logged in at once (sampled every second)
    std::uint64_t sessions = 0;       // sessions known, online or not
    std::uint64_t sessions_expired = 0;
    std::uint64_t subscriptions = 0;
    std::uint64_t retained = 0;
    std::uint64_t retained_bytes = 0;
    std::uint64_t queued_messages = 0;  // sampled by each loop every second
    std::uint64_t queued_bytes = 0;
    std::uint64_t inflight_messages = 0;
    std::uint64_t heap_current = 0;
    std::uint64_t heap_maximum = 0;

    std::uint64_t dropped() const;
    std::uint64_t disconnected_sessions() const {
        return sessions > total.connected ? sessions - total.connected : 0;
    }
};

// Sums the loops' counters into a snapshot, and keeps the maxima (clients connected, heap) that only sampling
// can see. Thread-safe: any thread may read.
class StatisticsReader {
  public:
    explicit StatisticsReader(Broker& broker);
    Statistics read();

  private:
    Broker& broker_;
    const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::atomic<std::uint64_t> max_connected_{0};
    std::atomic<std::uint64_t> max_heap_{0};
};

// Raises `maximum` to `value` if it is lower (several readers may race).
void raise_to(std::atomic<std::uint64_t>& maximum, std::uint64_t value);

}  // namespace culex::broker
