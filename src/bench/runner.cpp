// Steers a run from the calling thread: starts one Worker thread per loop, moves them through the phases
// (connect, run, drain, stop), samples the broker's /proc entry, and merges what the loops counted.
#include "bench/runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "bench/proc_stats.hpp"
#include "bench/tls_link.hpp"
#include "bench/worker.hpp"

namespace culex::bench {

namespace {

constexpr auto kPoll = std::chrono::milliseconds(10);
constexpr std::int64_t kProgressNs = 1'000'000'000;
constexpr std::int64_t kQuietNs =
    500'000'000;  // no delivery for this long while draining: nothing more comes

std::string run_id() {
    std::random_device device;
    return fmt::format("{:08x}", device());
}

double seconds(std::int64_t ns) {
    return static_cast<double>(ns) / 1e9;
}

struct Totals {
    std::uint64_t sent = 0, received = 0, unacked = 0;
};

Totals totals(const RunState& state) {
    Totals t;
    for (const auto& w : state.workers) {
        t.sent += w->counters.sent.load(std::memory_order_relaxed);
        t.received += w->counters.received.load(std::memory_order_relaxed);
        t.unacked += w->counters.unacked.load(std::memory_order_relaxed);
    }
    return t;
}

// Which loop each client lives on. A pair's publisher and subscriber share a loop, so the window's feedback
// rarely crosses threads.
void assign(RunState& state) {
    const Topology& t = state.topology;
    unsigned loops = state.options.threads;
    for (unsigned i = 0; i < t.publishers; ++i) {
        auto slot = std::make_unique<PublisherSlot>();
        slot->worker = i % loops;
        state.workers[slot->worker]->add_publisher(i);
        state.publishers.push_back(std::move(slot));
    }
    for (unsigned i = 0; i < t.subscribers; ++i) {
        unsigned loop = state.options.scenario == Scenario::fanin ? loops - 1 : i % loops;
        state.workers[loop]->add_subscriber(i);
    }
    for (unsigned i = 0; i < t.connections; ++i)
        state.workers[i % loops]->add_idle(i);
}

// The broker processes of --broker-pid, summed: CPU seconds and resident memory of them all (two brokers
// joined by a bridge cost what both spend).
class BrokerWatch {
  public:
    explicit BrokerWatch(std::vector<int> pids) : pids_(std::move(pids)) {}
    bool enabled() const { return !pids_.empty(); }

    std::expected<ProcessSample, Error> sample() {
        ProcessSample total;
        for (int pid : pids_) {
            auto s = sample_process(pid);
            if (!s) return s;
            total.cpu_seconds += s->cpu_seconds;
            total.rss_bytes += s->rss_bytes;
        }
        peak_ = std::max(peak_, total.rss_bytes);
        return total;
    }
    std::uint64_t peak() const { return peak_; }

  private:
    std::vector<int> pids_;
    std::uint64_t peak_ = 0;
};

}  // namespace

std::expected<Result, Error> run(const Options& options, const ProgressSink& progress) {
    auto topology = plan(options);
    if (!topology) return std::unexpected(topology.error());
    auto address = resolve(options.host, options.port);
    if (!address) return std::unexpected(address.error());
    auto publisher_address = resolve(options.host, publisher_port(options));
    if (!publisher_address) return std::unexpected(publisher_address.error());
    auto subscriber_address = resolve(options.host, subscriber_port(options));
    if (!subscriber_address) return std::unexpected(subscriber_address.error());
    raise_file_limit();

    RunState state;
    if (options.tls.enabled()) {
        auto context = make_tls_context(options.tls);
        if (!context) return std::unexpected(context.error());
        state.tls = *context;
    }
    state.options = options;
    state.topology = *topology;
    state.inflight = effective_inflight(options);
    std::string id = run_id();
    state.prefix = "culex-bench/" + id;
    state.client_id = "cxb-" + id;
    state.address = *address;
    state.publisher_address = *publisher_address;
    state.subscriber_address = *subscriber_address;
    for (unsigned i = 0; i < options.threads; ++i)
        state.workers.push_back(std::make_unique<Worker>(state, i));
    assign(state);
    if (auto e = state.error()) return std::unexpected(Error{*e});

    BrokerWatch broker(options.broker_pids);
    ProcessSample broker_start;
    if (broker.enabled()) {
        auto s = broker.sample();
        if (!s) return std::unexpected(s.error());
        broker_start = *s;
    }

    Result result;
    result.options = options;
    result.topology = *topology;
    result.inflight = state.inflight;
    unsigned total = topology->publishers + topology->subscribers + topology->connections;
    result.connections = total;

    std::vector<std::thread> threads;
    for (auto& w : state.workers)
        threads.emplace_back([&w] { w->run(); });
    auto stop = [&] {
        state.phase.store(Phase::stop);
        state.wake_all();
        for (auto& t : threads)
            t.join();
        threads.clear();
    };

    // Connect.
    std::int64_t connect_start = now_ns();
    std::int64_t next_progress = connect_start + kProgressNs;
    std::int64_t connect_deadline = connect_start + static_cast<std::int64_t>(options.connect_timeout * 1e9);
    while (!state.error() && state.ready.load() + state.failed.load() < total) {
        std::int64_t now = now_ns();
        if (now > connect_deadline) {
            stop();
            return std::unexpected(Error{fmt::format(
                "only {} of {} connections were up after {} s (is {} an MQTT broker? is it overloaded?)",
                state.ready.load(), total, options.connect_timeout, state.address.text)});
        }
        if (progress && now >= next_progress) {
            next_progress += kProgressNs;
            Progress p;
            p.connecting = true;
            p.elapsed = seconds(now - connect_start);
            p.connected = state.ready.load();
            p.connections = total;
            progress(p);
        }
        std::this_thread::sleep_for(kPoll);
    }
    result.connect_seconds = seconds(now_ns() - connect_start);
    result.connect_failures = state.failed.load();
    if (auto e = state.error()) {
        stop();
        return std::unexpected(Error{*e});
    }

    // Run: publish (or hold) for the duration, or until every publisher has sent its count.
    ProcessSample broker_run_start = broker_start;
    if (broker.enabled()) {
        if (auto s = broker.sample()) broker_run_start = *s;
    }
    double own_start = own_cpu_seconds();
    std::int64_t start = now_ns();
    state.start_ns.store(start);
    state.phase.store(Phase::run);
    state.wake_all();
    std::uint64_t target = options.count * topology->publishers;
    Totals last{};
    double last_cpu = broker_run_start.cpu_seconds;
    std::int64_t last_progress = start;
    next_progress = start + kProgressNs;
    auto report_progress = [&](std::int64_t now) {
        if (now < next_progress) return;
        Totals t = totals(state);
        Progress p;
        double dt = seconds(now - last_progress);
        p.elapsed = seconds(now - start);
        p.sent = t.sent;
        p.received = t.received;
        p.sent_per_second = static_cast<double>(t.sent - last.sent) / dt;
        p.received_per_second = static_cast<double>(t.received - last.received) / dt;
        if (broker.enabled()) {
            if (auto s = broker.sample()) {
                p.broker_cpu_percent = (s->cpu_seconds - last_cpu) / dt * 100;
                last_cpu = s->cpu_seconds;
                p.broker_rss = s->rss_bytes;
            }
        }
        last = t;
        last_progress = now;
        next_progress = now + kProgressNs;
        if (progress) progress(p);
    };
    std::int64_t run_end =
        options.duration > 0 ? start + static_cast<std::int64_t>(options.duration * 1e9) : INT64_MAX;
    while (!state.error()) {
        std::int64_t now = now_ns();
        if (now >= run_end) break;
        if (target != 0 && totals(state).sent >= target) break;
        report_progress(now);
        std::this_thread::sleep_for(kPoll);
    }
    std::int64_t publish_end = now_ns();
    result.publish_seconds = seconds(publish_end - start);

    // Drain: publishers stop; wait for what is in flight, but not for what will never come.
    if (!state.error() && state.phase.load() == Phase::run) {
        state.phase.store(Phase::drain);
        state.wake_all();
        std::int64_t deadline = now_ns() + static_cast<std::int64_t>(options.drain * 1e9);
        auto all_seen = [&] {
            return std::all_of(state.workers.begin(), state.workers.end(),
                               [](const auto& w) { return w->counters.seen_phase.load() != Phase::run; });
        };
        while (!all_seen() && now_ns() < deadline && !state.error())
            std::this_thread::sleep_for(kPoll);
        std::uint64_t sent = totals(state).sent;
        std::uint64_t expected = sent * topology->deliveries_per_message;
        Totals seen = totals(state);
        std::int64_t quiet_since = now_ns();
        while (!state.error()) {
            std::int64_t now = now_ns();
            Totals t = totals(state);
            bool done = t.unacked == 0 && (expected == 0 || t.received >= expected);
            if (done || now >= deadline) break;
            if (t.received != seen.received || t.unacked != seen.unacked) {
                seen = t;
                quiet_since = now;
            } else if (options.qos == protocol::QoS::at_most_once && now - quiet_since > kQuietNs) {
                // Only QoS 0 may be dropped on the way; at QoS 1/2 a slow broker is waited for until --drain.
                break;
            }
            report_progress(now);
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
    ProcessSample broker_end = broker_run_start;
    if (broker.enabled()) {
        if (auto s = broker.sample()) broker_end = *s;
    }
    result.bench_cpu_seconds = own_cpu_seconds() - own_start;
    stop();
    if (auto e = state.error()) return std::unexpected(Error{*e});

    // Merge what the loops counted.
    std::int64_t last_receive = 0;
    for (const auto& w : state.workers) {
        result.sent += w->counters.sent.load();
        result.received += w->counters.received.load();
        last_receive = std::max(last_receive, w->counters.last_receive_ns.load());
        result.foreign += w->foreign();
        result.skipped += w->counters.skipped.load();
    }
    result.receive_seconds = last_receive > start ? seconds(last_receive - start) : 0;
    LatencyHistogram latency;
    for (const auto& w : state.workers)
        latency.merge(w->latency());
    auto us = [](std::uint64_t ns) { return static_cast<double>(ns) / 1e3; };
    result.latency = {latency.count(),
                      us(latency.percentile(0.5)),
                      us(latency.percentile(0.9)),
                      us(latency.percentile(0.99)),
                      us(latency.percentile(0.999)),
                      us(latency.max())};

    unsigned per = topology->deliveries_per_message;
    if (per != 0) {
        result.expected = result.sent * per;
        // Unique arrivals per publisher: each of its streams (one per subscriber that hears it) should hold
        // everything it sent; in a shared group the members' streams together should.
        std::vector<std::uint64_t> unique(topology->publishers, 0);
        std::uint64_t lost = 0, duplicated = 0;
        for (const auto& w : state.workers) {
            for (const auto& s : w->streams()) {
                duplicated += s.duplicates;
                std::uint64_t sent = state.publishers[s.publisher]->sent.load();
                if (topology->shared_group)
                    unique[s.publisher] += s.unique;
                else
                    lost += sent > s.unique ? sent - s.unique : 0;
            }
        }
        if (topology->shared_group) {
            for (unsigned p = 0; p < topology->publishers; ++p) {
                std::uint64_t sent = state.publishers[p]->sent.load();
                lost += sent > unique[p] ? sent - unique[p] : 0;
                duplicated += unique[p] > sent ? unique[p] - sent : 0;  // a message given to two members
            }
        }
        result.lost = lost;
        result.duplicated = duplicated;
    }
    if (broker.enabled()) {
        result.broker =
            BrokerUsage{options.broker_pids, broker_end.cpu_seconds - broker_run_start.cpu_seconds,
                        broker_start.rss_bytes, broker_end.rss_bytes, broker.peak()};
    }
    return result;
}

}  // namespace culex::bench
