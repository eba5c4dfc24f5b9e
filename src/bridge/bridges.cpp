#include "bridge/bridges.hpp"

#include <fmt/format.h>

#include "bridge/bridge.hpp"
#include "net/event_loop.hpp"
#include "net/server.hpp"

namespace culex::bridge {

std::expected<void, std::string> Bridges::check(const std::vector<config::BridgeConfig>& bridges) {
    for (const auto& bridge : bridges) {
        if (bridge.start_type == config::BridgeStartType::lazy)
            return std::unexpected(fmt::format(
                "{}:{}: bridge '{}' has start_type lazy, which culex does not implement yet: use "
                "'start_type automatic' (connect at start, reconnect after failures) or 'start_type once'",
                bridge.source_file, bridge.source_line, bridge.name));
    }
    return {};
}

Bridges::Bridges(const std::vector<config::BridgeConfig>& bridges, net::Server& server) {
    int next_loop = 0;
    for (const auto& config : bridges) {
        net::EventLoop& loop = server.loop(next_loop);
        next_loop = (next_loop + 1) % server.loop_count();
        bridges_.push_back(std::make_unique<Bridge>(config, loop));
        Bridge* bridge = bridges_.back().get();
        loop.post([bridge] { bridge->start(); });
    }
}

Bridges::~Bridges() = default;

}  // namespace culex::bridge
