// Internal to the load generator: the state one run shares between its event loops (Worker, worker.hpp) and
// the thread that steers it (runner.cpp). What crosses threads is a handful of atomics per publisher, touched
// once per read or write batch, and the first fatal error.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bench/options.hpp"
#include "bench/socket.hpp"

namespace culex::tls {
class ClientContext;
}

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

class Worker;

struct RunState {
    Options options;
    Topology topology;
    unsigned inflight = 0;
    std::string prefix;          // "culex-bench/RUNID": every topic of the run starts with it
    std::string client_id;       // "cxb-RUNID": with a role letter and number appended
    Address address;             // idle connections (`conn`)
    Address publisher_address;   // --pub-port, else `address`
    Address subscriber_address;  // --sub-port, else `address`
    std::shared_ptr<const tls::ClientContext> tls;  // null: plain TCP

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

}  // namespace culex::bench
