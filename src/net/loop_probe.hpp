// Every 100 ms on each event loop, a timer that measures the loop: how late the loop ran it (its scheduling
// lag: at least what anything arriving then waited behind the loop's other work), into a histogram, and the
// loop thread's own CPU time so far. Written by the loop only, in plain per-loop counters (no lock, nothing
// another thread writes), read by /metrics when it is scraped: nothing on the message path.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

#include "broker/loop_histogram.hpp"
#include "net/loop_figures.hpp"

namespace culex::net {

class LoopProbe {
  public:
    static constexpr std::chrono::milliseconds kInterval{100};

    // `context`: the loop's; it outlives the probe.
    explicit LoopProbe(boost::asio::io_context& context) : timer_(context) {}

    // Before the loop runs, or on the loop.
    void start() { arm(); }
    // On the loop: its pending wait would keep the loop from running out of work at shutdown.
    void cancel() { timer_.cancel(); }
    // From any thread.
    LoopFigures read() const;

  private:
    void arm();
    void measure();

    boost::asio::steady_timer timer_;
    broker::LoopHistogram lag_{broker::kSchedulingLagBounds};
    broker::LoopCounter cpu_nanoseconds_;
};

}  // namespace culex::net
