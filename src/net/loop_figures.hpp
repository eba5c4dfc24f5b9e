// What one event loop measured of itself (net/loop_probe.hpp), as /metrics reads it. No Asio here: ops and
// the CLI include it.
#pragma once

#include <functional>
#include <vector>

#include "broker/loop_histogram.hpp"

namespace culex::net {

struct LoopFigures {
    broker::LoopHistogram::Reading scheduling_lag;  // how late the loop ran its probe's timer
    double cpu_seconds = 0;                         // the loop thread's CPU time so far
};

// Every loop's figures, by loop index; from any thread once the server has started.
using LoopFiguresSource = std::function<std::vector<LoopFigures>()>;

}  // namespace culex::net
