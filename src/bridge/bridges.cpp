#include "bridge/bridges.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "bridge/bridge.hpp"
#include "bridge/bridge_tls.hpp"
#include "log/logger.hpp"
#include "net/event_loop.hpp"
#include "net/server.hpp"

namespace culex::bridge {

using culex::log::logger;
using culex::log::LogType;

std::expected<void, std::string> Bridges::check(const std::vector<config::BridgeConfig>& bridges) {
    for (const auto& bridge : bridges)
        if (auto context = make_bridge_context(bridge); !context) return std::unexpected(context.error());
    return {};
}

Bridges::Bridges(const std::vector<config::BridgeConfig>& bridges, net::Server& server,
                 std::chrono::seconds sys_interval)
    : server_(server), sys_interval_(sys_interval) {
    std::lock_guard lock(mutex_);
    for (const auto& config : bridges) {
        net::EventLoop& loop = server_.loop(next_loop_);
        next_loop_ = (next_loop_ + 1) % server_.loop_count();
        launch(config, loop, running_);
    }
}

Bridges::~Bridges() = default;

void Bridges::launch(const config::BridgeConfig& config, net::EventLoop& loop, std::vector<Running>& into) {
    auto context = make_bridge_context(config);
    if (!context) {
        logger().log(LogType::error, "Error: {}; the bridge does not start.", context.error());
        return;
    }
    into.push_back({std::make_unique<Bridge>(config, loop, std::move(*context), sys_interval_), &loop});
    Bridge* bridge = into.back().bridge.get();
    loop.post([bridge] { bridge->start(); });
}

void Bridges::retire(Running running, const config::BridgeConfig* successor) {
    Bridge* bridge = running.bridge.get();
    std::optional<config::BridgeConfig> next;
    if (successor) next = *successor;
    running.loop->post([bridge, next = std::move(next)] { bridge->retire(next ? &*next : nullptr); });
    retired_.push_back(std::move(running.bridge));
}

namespace {

// The same bridge, wherever its block is in the file: only a change of its options restarts it.
bool same_options(config::BridgeConfig a, config::BridgeConfig b) {
    a.source_file = b.source_file;
    a.source_line = b.source_line;
    return a == b;
}

}  // namespace

void Bridges::reload(const std::vector<config::BridgeConfig>& bridges) {
    std::lock_guard lock(mutex_);
    std::vector<Running> kept;
    for (auto& running : running_) {
        const auto& old = running.bridge->config();
        auto match = std::ranges::find(bridges, old.name, &config::BridgeConfig::name);
        if (match == bridges.end()) {
            logger().log(LogType::notice, "Bridge {} removed from the config: stopping it.", old.name);
            retire(std::move(running), nullptr);
        } else if (!same_options(*match, old)) {
            logger().log(LogType::notice, "Bridge {} changed in the config: restarting it.", old.name);
            net::EventLoop* loop = running.loop;
            retire(std::move(running), &*match);
            // On the same loop, after the old one has left: it may take over the old one's local session.
            launch(*match, *loop, kept);
        } else {
            kept.push_back(std::move(running));
        }
    }
    running_ = std::move(kept);
    for (const auto& config : bridges) {
        bool known = std::ranges::any_of(
            running_, [&](const Running& r) { return r.bridge->config().name == config.name; });
        if (known) continue;
        logger().log(LogType::notice, "Bridge {} added to the config: starting it.", config.name);
        net::EventLoop& loop = server_.loop(next_loop_);
        next_loop_ = (next_loop_ + 1) % server_.loop_count();
        launch(config, loop, running_);
    }
    // Configuration order, for status().
    std::ranges::sort(running_, {}, [&](const Running& r) {
        return std::ranges::find(bridges, r.bridge->config().name, &config::BridgeConfig::name) -
               bridges.begin();
    });
}

std::vector<BridgeStatus> Bridges::status() const {
    std::lock_guard lock(mutex_);
    std::vector<BridgeStatus> result;
    result.reserve(running_.size());
    for (const auto& running : running_)
        result.push_back(running.bridge->status());
    return result;
}

}  // namespace culex::bridge
