// Internal to the load generator: the state one run shares between its event loops (Worker) and the thread
// that steers it (runner.cpp). Each Worker is one thread with one epoll instance that owns many connections;
// what crosses threads is a handful of atomics per publisher, touched once per read or write batch.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bench/histogram.hpp"
#include "bench/options.hpp"
#include "bench/publish_wire.hpp"
#include "bench/sequence.hpp"
#include "bench/socket.hpp"

namespace culex::bench {

enum class Phase : int { connect, run, drain, stop };

// One publisher's counters, read across threads. Each sits on its own cache lines so that a subscriber's loop
// adding deliveries does not slow the publisher's loop counting sends.
struct alignas(64) PublisherSlot {
    std::atomic<std::uint64_t> sent{0};  // written by the owning loop only
    unsigned worker = 0;
    alignas(64) std::atomic<std::uint64_t> delivered{0};  // added to by subscribers' loops, once per batch
    std::atomic<bool> waiting{false};                     // the owner sleeps until `delivered` moves: wake it
};

// A loop's counters for the progress line and the drain: one writer (the loop), relaxed loads elsewhere.
struct alignas(64) WorkerCounters {
    std::atomic<std::uint64_t> sent{0};
    std::atomic<std::uint64_t> received{0};
    std::atomic<std::uint64_t> unacked{0};  // QoS 1/2 PUBLISHes not yet PUBACKed/PUBCOMPed
    std::atomic<std::uint64_t> skipped{0};  // fixed rate: slots skipped because the publisher fell behind
    std::atomic<std::int64_t> last_receive_ns{0};
    std::atomic<Phase> seen_phase{Phase::connect};
};

class Worker;

struct RunState {
    Options options;
    Topology topology;
    unsigned inflight = 0;
    std::string prefix;     // "culex-bench/RUNID": every topic of the run starts with it
    std::string client_id;  // "cxb-RUNID": with a role letter and number appended
    Address address;

    std::atomic<Phase> phase{Phase::connect};
    std::atomic<std::int64_t> start_ns{0};
    std::atomic<unsigned> ready{0};
    std::atomic<unsigned> failed{0};
    std::vector<std::unique_ptr<PublisherSlot>> publishers;
    std::vector<std::unique_ptr<Worker>> workers;

    // The first fatal error stops the run; later ones are consequences.
    void fail(std::string message);
    std::optional<std::string> error() const;
    void wake_all();

  private:
    mutable std::mutex mutex_;
    std::optional<std::string> error_;
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
