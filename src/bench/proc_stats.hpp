// A process's CPU time and resident memory from /proc, for `--broker-pid`: the broker's cost during a run,
// so brokers can be compared per CPU-second rather than per wall-clock second.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string_view>

#include "base/error.hpp"

namespace culex::bench {

struct ProcessSample {
    double cpu_seconds = 0;  // user + system, the process's threads together
    std::uint64_t rss_bytes = 0;
};

std::expected<ProcessSample, Error> sample_process(int pid);

// This process's own CPU time (to show whether the load generator itself was saturated).
double own_cpu_seconds();

// Parsers of /proc/PID/stat (utime + stime, fields 14 and 15) and /proc/PID/status (VmRSS), for tests.
std::optional<double> parse_stat_cpu_seconds(std::string_view stat, long ticks_per_second);
std::optional<std::uint64_t> parse_status_rss_bytes(std::string_view status);

}  // namespace culex::bench
