// Each bridge's figures in /metrics: its state, the messages waiting for its remote, what it forwarded each
// way and how often it connected again, labelled by the bridge's `connection` name. ops does not know
// src/bridge: the broker command hands it a BridgeFiguresSource that reads bridge::Bridges::status().
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace culex::ops {

struct BridgeFigures {
    std::string name;   // the `connection` name: the `bridge` label
    std::string state;  // "connecting", "connected" or "disconnected"
    std::uint64_t queued = 0;
    std::uint64_t forwarded_out = 0;
    std::uint64_t forwarded_in = 0;
    std::uint64_t reconnects = 0;
};

// Called on the HTTP thread, per /metrics request.
using BridgeFiguresSource = std::function<std::vector<BridgeFigures>()>;

// The bridges' families in the Prometheus text format (0.0.4); empty when there are no bridges.
std::string render_bridge_metrics(const std::vector<BridgeFigures>& bridges);

}  // namespace culex::ops
