// The subscription tree under a fleet's load: up to 1,000,000 subscriptions, mixed exact filters and
// wildcards, matched against topics of growing depth. The goal (issue 7): the cost of matching grows with the
// topic's depth, not with the number of subscriptions.
//
//   make bench && build/bench/bench_broker --benchmark_filter=Tree
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker/subscription_tree.hpp"

namespace culex::broker {
namespace {

// N sessions on a fleet of devices: 80% exact telemetry filters ("fleet/D/telemetry"), 10% single-level
// wildcards ("fleet/+/alarm/D"), 10% multi-level wildcards, one site each ("site/I/#"); a monitor on
// "fleet/#".
struct Fleet {
    explicit Fleet(std::int64_t subscriptions) {
        anchors.reserve(static_cast<std::size_t>(subscriptions));
        for (std::int64_t i = 0; i < subscriptions; ++i) {
            anchors.push_back(std::make_shared<SessionAnchor>("c" + std::to_string(i), 0));
            std::string filter;
            if (i % 10 < 8) {
                filter = "fleet/" + std::to_string(i) + "/telemetry";
            } else if (i % 10 == 8) {
                filter = "fleet/+/alarm/" + std::to_string(i);
            } else {
                filter = "site/" + std::to_string(i) + "/#";
            }
            tree.subscribe(filter, anchors.back(), {});
        }
        monitor = std::make_shared<SessionAnchor>("monitor", 0);
        tree.subscribe("fleet/#", monitor, {});
    }
    SubscriptionTree tree;
    std::vector<AnchorPtr> anchors;
    AnchorPtr monitor;
};

Fleet& fleet(std::int64_t size) {
    // Built once per size: a million subscriptions take a while to insert.
    static std::map<std::int64_t, std::unique_ptr<Fleet>> fleets;
    auto& f = fleets[size];
    if (!f) f = std::make_unique<Fleet>(size);
    return *f;
}

// One device's telemetry: an exact match plus the monitor's wildcard.
void BM_TreeMatchTelemetry(benchmark::State& state) {
    Fleet& f = fleet(state.range(0));
    std::vector<SubscriptionMatch> out;
    std::string topic = "fleet/" + std::to_string(state.range(0) / 2 / 10 * 10) + "/telemetry";
    for (auto _ : state) {
        out.clear();
        f.tree.match(topic, out);
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["matches"] = static_cast<double>(out.size());
}
BENCHMARK(BM_TreeMatchTelemetry)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);

// A topic under a site, `depth` levels deep: how the cost grows with depth at a million subscriptions.
void BM_TreeMatchDepth(benchmark::State& state) {
    Fleet& f = fleet(1'000'000);
    std::string topic = "site/9";
    for (std::int64_t level = 2; level < state.range(0); ++level)
        topic += "/level" + std::to_string(level);
    std::vector<SubscriptionMatch> out;
    for (auto _ : state) {
        out.clear();
        f.tree.match(topic, out);
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["matches"] = static_cast<double>(out.size());
}
BENCHMARK(BM_TreeMatchDepth)->DenseRange(2, 10, 2);

// A topic nobody subscribes to: the common case of a device that only publishes.
void BM_TreeMatchNobody(benchmark::State& state) {
    Fleet& f = fleet(state.range(0));
    std::vector<SubscriptionMatch> out;
    for (auto _ : state) {
        out.clear();
        f.tree.match("warehouse/door/3/state", out);
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(BM_TreeMatchNobody)->Arg(1'000)->Arg(1'000'000);

void BM_TreeSubscribeUnsubscribe(benchmark::State& state) {
    Fleet& f = fleet(state.range(0));
    auto anchor = std::make_shared<SessionAnchor>("churn", 0);
    for (auto _ : state) {
        f.tree.subscribe("fleet/churn/+/state", anchor, {});
        f.tree.unsubscribe("fleet/churn/+/state", anchor.get());
    }
}
BENCHMARK(BM_TreeSubscribeUnsubscribe)->Arg(1'000)->Arg(1'000'000);

}  // namespace
}  // namespace culex::broker
