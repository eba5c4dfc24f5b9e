#include "ops/bridge_metrics.hpp"

#include "ops/metric_sample.hpp"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <array>
#include <string_view>

namespace culex::ops {

namespace {

using prometheus::MetricFamily;
using prometheus::MetricType;

// Every state a bridge can be in gets a sample (1 for the current one), so that a query by state sees 0
// rather than nothing when no bridge is in it.
constexpr std::array<std::string_view, 3> kStates{"connecting", "connected", "disconnected"};

template <class Field>
MetricFamily per_bridge(const std::vector<BridgeFigures>& bridges, std::string name, std::string help,
                        MetricType type, Field field) {
    MetricFamily family{std::move(name), std::move(help), type, {}};
    for (const auto& b : bridges)
        add_sample(family, {{"bridge", b.name}}, static_cast<double>(field(b)));
    return family;
}

}  // namespace

std::string render_bridge_metrics(const std::vector<BridgeFigures>& bridges) {
    if (bridges.empty()) return {};
    auto gauge = MetricType::Gauge;
    auto counter = MetricType::Counter;
    std::vector<MetricFamily> families;
    families.push_back(per_bridge(bridges, "culex_bridge_up", "1 when the bridge is connected to its remote",
                                  gauge,
                                  [](const BridgeFigures& b) { return b.state == "connected" ? 1 : 0; }));
    MetricFamily state{"culex_bridge_state", "The bridge's state: 1 for the one it is in", gauge, {}};
    for (const auto& b : bridges)
        for (auto s : kStates)
            add_sample(state, {{"bridge", b.name}, {"state", std::string(s)}}, b.state == s ? 1 : 0);
    families.push_back(std::move(state));
    families.push_back(per_bridge(bridges, "culex_bridge_queued_messages",
                                  "QoS 1/2 messages waiting for the remote (in flight or queued)", gauge,
                                  [](const BridgeFigures& b) { return b.queued; }));
    MetricFamily forwarded{"culex_bridge_forwarded_total",
                           "Messages forwarded: out (local to remote; QoS 1/2 once the remote acknowledged) "
                           "and in (remote to local)",
                           counter,
                           {}};
    for (const auto& b : bridges) {
        add_sample(forwarded, {{"bridge", b.name}, {"direction", "out"}},
                   static_cast<double>(b.forwarded_out));
        add_sample(forwarded, {{"bridge", b.name}, {"direction", "in"}}, static_cast<double>(b.forwarded_in));
    }
    families.push_back(std::move(forwarded));
    families.push_back(per_bridge(bridges, "culex_bridge_reconnects_total",
                                  "Connections to the remote accepted after the first", counter,
                                  [](const BridgeFigures& b) { return b.reconnects; }));
    return prometheus::TextSerializer().Serialize(families);
}

}  // namespace culex::ops
