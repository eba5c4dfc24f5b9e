// What /metrics shows of the bridges. The HTTP listener serves from its own thread as soon as the server
// starts; the bridges start after it and go before it. The feed hands the HTTP thread each running bridge's
// figures (bridge::Bridges::status(), readable from any thread) while the bridges exist, and none outside.
#pragma once

#include <mutex>
#include <vector>

#include "ops/bridge_metrics.hpp"

namespace culex::bridge {
class Bridges;
}

namespace culex::cli {

class BridgeMetricsFeed {
  public:
    // nullptr: the bridges are gone (or not started yet).
    void attach(const bridge::Bridges* bridges);
    std::vector<ops::BridgeFigures> figures() const;

  private:
    mutable std::mutex mutex_;
    const bridge::Bridges* bridges_ = nullptr;
};

// Attaches for its lifetime: declared right after the Bridges, so detached before they are destroyed.
class BridgeMetricsAttachment {
  public:
    BridgeMetricsAttachment(BridgeMetricsFeed& feed, const bridge::Bridges& bridges) : feed_(feed) {
        feed_.attach(&bridges);
    }
    ~BridgeMetricsAttachment() { feed_.attach(nullptr); }
    BridgeMetricsAttachment(const BridgeMetricsAttachment&) = delete;
    BridgeMetricsAttachment& operator=(const BridgeMetricsAttachment&) = delete;

  private:
    BridgeMetricsFeed& feed_;
};

}  // namespace culex::cli
