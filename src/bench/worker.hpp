// Internal to the load generator: one of a run's event loops. Each Worker is one thread with one epoll
// instance that owns many connections (worker.cpp: connecting and publishing; worker_receive.cpp: what the
// broker sends back); the run it belongs to is a RunState (run_state.hpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/histogram.hpp"
#include "bench/publish_wire.hpp"
#include "bench/run_state.hpp"
#include "bench/sequence.hpp"
#include "bench/socket.hpp"

namespace culex::bench {

// A loop's counters for the progress line and the drain: one writer (the loop), relaxed loads elsewhere.
struct alignas(64) WorkerCounters {
    std::atomic<std::uint64_t> sent{0};
    std::atomic<std::uint64_t> received{0};
    std::atomic<std::uint64_t> unacked{0};  // QoS 1/2 PUBLISHes not yet PUBACKed/PUBCOMPed
    std::atomic<std::uint64_t> skipped{0};  // fixed rate: slots skipped because the publisher fell behind
    std::atomic<std::int64_t> last_receive_ns{0};
    std::atomic<Phase> seen_phase{Phase::connect};
};

// Per subscriber: what arrived from each publisher it should hear from.
struct StreamStats {
    unsigned publisher = 0;
    std::uint64_t unique = 0;
    std::uint64_t duplicates = 0;
};

class Worker {
  public:
    Worker(RunState& state, unsigned index);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    void add_publisher(unsigned id);
    void add_subscriber(unsigned id);
    void add_idle(unsigned id);

    void run();  // the thread's body: returns once the phase is `stop`
    void wake();

    WorkerCounters counters;

    // Read after the thread has ended.
    const LatencyHistogram& latency() const { return latency_; }
    std::vector<StreamStats> streams() const;
    std::uint64_t foreign() const { return foreign_; }

  private:
    struct Connection;

    void start_connects(std::int64_t now);
    bool pump(Connection& c);
    void on_event(Connection& c, std::uint32_t events, std::int64_t now);
    void on_connected(Connection& c, std::int64_t now);
    void continue_handshake(Connection& c, std::int64_t now);
    void send_connect(Connection& c, std::int64_t now);
    void read_all(Connection& c, std::int64_t now);
    bool on_frame(Connection& c, const protocol::Frame& frame, std::int64_t now);
    void on_publish(Connection& c, const protocol::Frame& frame, std::int64_t now);
    void flush_deliveries(Connection& c);
    void flush(Connection& c, std::int64_t now);
    void lost(Connection& c, const std::string& why);
    void keepalive(std::int64_t now);
    void mark_ready(Connection& c);
    void say_goodbye();
    std::string client_id(const Connection& c) const;
    // Where `c` connects: the publishers' port, the subscribers' port, or -p for idle connections.
    const Address& address_of(const Connection& c) const;

    RunState& state_;
    unsigned index_;
    Fd epoll_;
    Fd wake_;
    std::vector<Connection> connections_;
    std::vector<std::size_t> publishers_;  // indexes into connections_
    std::size_t next_start_ = 0;
    unsigned connecting_ = 0;
    std::int64_t connect_start_ns_ = 0;
    std::int64_t next_keepalive_ns_ = 0;
    std::vector<char> scratch_;
    LatencyHistogram latency_;
    std::uint64_t foreign_ = 0;
    std::uint64_t sent_ = 0, received_ = 0, unacked_ = 0;
    std::uint64_t skipped_ = 0;
    std::int64_t next_due_ns_ = INT64_MAX;  // fixed rate: the earliest slot of this loop's publishers
};

}  // namespace culex::bench
