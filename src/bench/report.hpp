// What a run measured, and its two renderings: a few lines for people and JSON for scripts (bench/compare.sh
// reads it). Also the one-line progress report printed while a run goes on.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/options.hpp"

namespace culex::bench {

struct LatencySummary {  // microseconds
    std::uint64_t samples = 0;
    double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
};

struct BrokerUsage {
    std::vector<int> pids;   // one broker, or two joined by a bridge: the figures are their sums
    double cpu_seconds = 0;  // during the measured part: from the first PUBLISH to the last delivery
    std::uint64_t rss_start = 0, rss_end = 0, rss_peak = 0;  // bytes; start: before the first connection
};

struct Result {
    Options options;
    Topology topology;
    unsigned inflight = 0;

    // Connecting: every connection of the run, up and (for subscribers) subscribed.
    unsigned connections = 0;
    unsigned connect_failures = 0;
    double connect_seconds = 0;

    double publish_seconds = 0;  // from the first PUBLISH until publishers stopped
    double receive_seconds = 0;  // from the first PUBLISH until the last delivery
    std::uint64_t sent = 0;
    std::uint64_t received = 0;  // deliveries to our subscribers, duplicates included
    std::uint64_t expected = 0;  // deliveries the sent messages should have caused; 0 when unknown
    std::uint64_t lost = 0;
    std::uint64_t duplicated = 0;
    std::uint64_t foreign = 0;  // deliveries without our stamp (another publisher on the same topics)
    std::uint64_t skipped = 0;  // fixed rate: sends skipped because a publisher fell more than 1 ms behind
    LatencySummary latency;

    std::optional<BrokerUsage> broker;
    double bench_cpu_seconds = 0;

    double sent_per_second() const { return publish_seconds > 0 ? sent / publish_seconds : 0; }
    double received_per_second() const { return receive_seconds > 0 ? received / receive_seconds : 0; }
    double connects_per_second() const { return connect_seconds > 0 ? connections / connect_seconds : 0; }
    // Deliveries (or, without subscribers, accepted PUBLISHes) per second of broker CPU.
    std::optional<double> messages_per_broker_cpu_second() const;
    // Resident memory the broker gained per connection of the run.
    std::optional<double> broker_bytes_per_connection() const;
};

nlohmann::json to_json(const Result& result);
std::string to_text(const Result& result);

struct Progress {
    double elapsed = 0;  // seconds since publishing began (or connecting, before)
    bool connecting = false;
    unsigned connected = 0;
    unsigned connections = 0;
    double sent_per_second = 0;      // over the last interval
    double received_per_second = 0;  // over the last interval
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::optional<double> broker_cpu_percent;  // over the last interval
    std::optional<std::uint64_t> broker_rss;
};

std::string progress_line(const Progress& progress);

}  // namespace culex::bench
