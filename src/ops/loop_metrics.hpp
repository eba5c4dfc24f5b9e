// Each event loop's own figures in /metrics, labelled loop="N": its scheduling lag as a histogram
// (culex_loop_scheduling_lag_seconds) and its thread's CPU time (culex_loop_cpu_seconds_total), both measured
// by the loop every 100 ms (net/loop_probe.hpp) and put in Prometheus's form here, at the scrape.
#pragma once

#include <string>
#include <vector>

#include "net/loop_figures.hpp"

namespace culex::ops {

// The two families in the Prometheus text format (0.0.4); empty when there are no loops.
std::string render_loop_metrics(const std::vector<net::LoopFigures>& loops);

}  // namespace culex::ops
