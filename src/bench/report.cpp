#include "bench/report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

namespace culex::bench {

namespace {

// 1234567.8 -> "1,234,568": rates are easier to read with thousands separators.
std::string grouped(double value) {
    auto whole = static_cast<long long>(value + 0.5);
    std::string digits = std::to_string(whole < 0 ? -whole : whole);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
    return whole < 0 ? "-" + out : out;
}

std::string mib(std::uint64_t bytes) {
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

double round_to(double value, double step) {
    return std::round(value / step) * step;
}

}  // namespace

std::optional<double> Result::messages_per_broker_cpu_second() const {
    if (!broker || broker->cpu_seconds <= 0) return std::nullopt;
    std::uint64_t moved = topology.subscribers != 0 ? received : sent;
    if (moved == 0) return std::nullopt;
    return static_cast<double>(moved) / broker->cpu_seconds;
}

std::optional<double> Result::broker_bytes_per_connection() const {
    if (!broker || connections == 0 || broker->rss_end < broker->rss_start) return std::nullopt;
    return static_cast<double>(broker->rss_end - broker->rss_start) / connections;
}

nlohmann::json to_json(const Result& r) {
    nlohmann::json j;
    j["scenario"] = std::string(to_string(r.options.scenario));
    j["mqtt"] = std::string(version_name(r.options.version));
    j["qos"] = static_cast<int>(r.options.qos);
    j["payload_bytes"] = r.options.payload_size;
    j["publishers"] = r.topology.publishers;
    j["subscribers"] = r.topology.subscribers;
    j["threads"] = r.options.threads;
    j["rate_limit"] = r.options.rate;
    j["inflight"] = r.inflight;
    j["persistent_subscribers"] = r.options.persistent_subscribers;
    j["tls"] = r.options.tls.enabled();
    j["connect"] = {{"connections", r.connections},
                    {"failed", r.connect_failures},
                    {"seconds", r.connect_seconds},
                    {"per_second", r.connects_per_second()}};
    j["publish_seconds"] = r.publish_seconds;
    j["receive_seconds"] = r.receive_seconds;
    j["sent"] = r.sent;
    j["received"] = r.received;
    j["expected"] = r.expected;
    j["lost"] = r.lost;
    j["duplicated"] = r.duplicated;
    j["foreign"] = r.foreign;
    j["skipped"] = r.skipped;
    j["sent_per_second"] = r.sent_per_second();
    j["received_per_second"] = r.received_per_second();
    j["latency_us"] = {{"samples", r.latency.samples}, {"p50", r.latency.p50},    {"p90", r.latency.p90},
                       {"p99", r.latency.p99},         {"p99.9", r.latency.p999}, {"max", r.latency.max}};
    if (r.broker) {
        // "pid": the first (the only one but for a bridged pair), as before "pids" existed.
        nlohmann::json b = {{"pid", r.broker->pids.empty() ? 0 : r.broker->pids.front()},
                            {"pids", r.broker->pids},
                            {"cpu_seconds", r.broker->cpu_seconds},
                            {"rss_start_bytes", r.broker->rss_start},
                            {"rss_end_bytes", r.broker->rss_end},
                            {"rss_peak_bytes", r.broker->rss_peak}};
        if (auto m = r.messages_per_broker_cpu_second()) b["messages_per_cpu_second"] = *m;
        if (auto m = r.broker_bytes_per_connection()) b["bytes_per_connection"] = *m;
        j["broker"] = b;
    }
    j["bench_cpu_seconds"] = r.bench_cpu_seconds;
    return j;
}

std::string to_text(const Result& r) {
    std::string out;
    out += fmt::format(
        "{} | MQTT {}{} | QoS {} | {} B payload | {} pub, {} sub{} | {} thread(s) | in-flight {}{}\n",
        to_string(r.options.scenario), version_name(r.options.version),
        r.options.tls.enabled() ? " over TLS" : "", static_cast<int>(r.options.qos), r.options.payload_size,
        r.topology.publishers, r.topology.subscribers,
        r.options.persistent_subscribers ? " (persistent sessions)" : "", r.options.threads, r.inflight,
        r.options.rate > 0 ? fmt::format(" | rate {}/s", grouped(r.options.rate)) : "");
    out += fmt::format("connect   {} connections in {:.3f} s ({}/s){}\n", r.connections, r.connect_seconds,
                       grouped(r.connects_per_second()),
                       r.connect_failures ? fmt::format(", {} failed", r.connect_failures) : "");
    if (r.topology.publishers != 0)
        out += fmt::format(
            "sent      {} msgs in {:.3f} s = {} msg/s{}\n", grouped(double(r.sent)), r.publish_seconds,
            grouped(r.sent_per_second()),
            r.skipped ? fmt::format(" | {} sends skipped (fell behind the rate)", grouped(double(r.skipped)))
                      : "");
    if (r.topology.subscribers != 0) {
        out += fmt::format("received  {} msgs in {:.3f} s = {} msg/s", grouped(double(r.received)),
                           r.receive_seconds, grouped(r.received_per_second()));
        if (r.expected != 0)
            out += fmt::format(" | lost {} | duplicated {}", grouped(double(r.lost)),
                               grouped(double(r.duplicated)));
        out += "\n";
        if (r.latency.samples != 0)
            out +=
                fmt::format("latency   p50 {:.1f} us | p90 {:.1f} | p99 {:.1f} | p99.9 {:.1f} | max {:.1f}\n",
                            r.latency.p50, r.latency.p90, r.latency.p99, r.latency.p999, r.latency.max);
    }
    if (r.broker) {
        out += fmt::format("broker    pid {} | cpu {:.3f} s | rss {} -> {} (peak {})",
                           fmt::join(r.broker->pids, "+"), r.broker->cpu_seconds, mib(r.broker->rss_start),
                           mib(r.broker->rss_end), mib(r.broker->rss_peak));
        if (auto m = r.messages_per_broker_cpu_second())
            out += fmt::format(" | {} msg per cpu-second", grouped(*m));
        if (r.options.scenario == Scenario::conn)
            if (auto b = r.broker_bytes_per_connection())
                out += fmt::format(" | {} B per connection", grouped(round_to(*b, 1)));
        out += "\n";
    }
    out += fmt::format("bench     cpu {:.3f} s\n", r.bench_cpu_seconds);
    return out;
}

std::string progress_line(const Progress& p) {
    if (p.connecting)
        return fmt::format("[{:5.1f}s] connecting {}/{}", p.elapsed, p.connected, p.connections);
    std::string line =
        fmt::format("[{:5.1f}s] sent {}/s recv {}/s (total {} / {})", p.elapsed, grouped(p.sent_per_second),
                    grouped(p.received_per_second), grouped(double(p.sent)), grouped(double(p.received)));
    if (p.broker_cpu_percent) line += fmt::format(" broker cpu {:.0f}%", *p.broker_cpu_percent);
    if (p.broker_rss) line += fmt::format(" rss {}", mib(*p.broker_rss));
    return line;
}

}  // namespace culex::bench
