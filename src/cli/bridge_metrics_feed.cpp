#include "cli/bridge_metrics_feed.hpp"

#include <string>

#include "bridge/bridges.hpp"

namespace culex::cli {

void BridgeMetricsFeed::attach(const bridge::Bridges* bridges) {
    std::lock_guard lock(mutex_);
    bridges_ = bridges;
}

std::vector<ops::BridgeFigures> BridgeMetricsFeed::figures() const {
    std::lock_guard lock(mutex_);  // held while reading: the Bridges cannot be destroyed meanwhile
    std::vector<ops::BridgeFigures> out;
    if (!bridges_) return out;
    for (const auto& s : bridges_->status())
        out.push_back({s.name, std::string(bridge::to_string(s.state)), s.queued, s.forwarded_out,
                       s.forwarded_in, s.reconnects});
    return out;
}

}  // namespace culex::cli
