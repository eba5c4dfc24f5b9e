// What one event loop counts for $SYS and /metrics. Each counter is written by its own loop only, as a plain
// load and store of a relaxed atomic (no locked instruction, no shared cache line written by two loops), and
// read by anyone: $SYS and /metrics sum the loops' counters when they are read (broker/statistics.hpp).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

namespace culex::broker {

// A count that only its loop writes.
class LoopCounter {
  public:
    void add(std::uint64_t n = 1) { value_.store(value_.load(std::memory_order_relaxed) + n, relaxed); }
    void set(std::uint64_t n) { value_.store(n, relaxed); }
    std::uint64_t get() const { return value_.load(relaxed); }

  private:
    static constexpr auto relaxed = std::memory_order_relaxed;
    std::atomic<std::uint64_t> value_{0};
};

// Why a PUBLISH did not reach a subscriber, or was not taken from its publisher.
enum class DropCause : std::uint8_t {
    queue_full,     // max_queued_messages / max_queued_bytes of an offline or slow subscriber
    output_buffer,  // QoS 0 to a client that stopped reading (output_buffer_limit)
    loop_behind,    // QoS 0 to a loop too far behind (max_arriving_bytes)
    too_large,      // larger than the subscriber's Maximum Packet Size
    denied,         // the publisher may not write there (ACL, or $SYS)
    message_size,   // over message_size_limit
    memory,         // over memory_limit
};
constexpr std::size_t kDropCauses = 7;

// What a listener's connections did, on one loop.
struct ListenerCounters {
    LoopCounter connects;     // clients that logged in
    LoopCounter disconnects;  // of those, the ones whose connection ended since
    LoopCounter sockets;      // connections accepted (before CONNECT)
    LoopCounter packets_received;
    LoopCounter packets_sent;
    LoopCounter bytes_received;
    LoopCounter bytes_sent;
    std::array<LoopCounter, 3> publish_received;  // by QoS
    std::array<LoopCounter, 3> publish_sent;      // by QoS
    LoopCounter publish_bytes_received;           // payload bytes
    LoopCounter publish_bytes_sent;
};

struct LoopCounters {
    // `listeners`: how many the broker has (a connection's listener index selects its counters).
    explicit LoopCounters(std::size_t listeners) : by_listener(listeners == 0 ? 1 : listeners) {}

    ListenerCounters& listener(int index) {
        auto i = static_cast<std::size_t>(index);
        return by_listener[i < by_listener.size() ? i : 0];
    }
    void dropped(DropCause cause) { drops[static_cast<std::size_t>(cause)].add(); }

    std::vector<ListenerCounters> by_listener;
    std::array<LoopCounter, kDropCauses> drops;
    LoopCounter sessions_expired;
    // Sampled by the loop once a second while statistics are wanted: what its sessions hold.
    LoopCounter sessions;           // sessions this loop owns, online or not
    LoopCounter queued_messages;    // waiting in sessions' queues (offline, or behind a full window)
    LoopCounter queued_bytes;       // their payload bytes
    LoopCounter inflight_messages;  // QoS 1/2 sent and not yet acknowledged
};

}  // namespace culex::broker
