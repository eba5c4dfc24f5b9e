// A bridge's topic rules as pure functions: which filter each side subscribes to, and how a topic is renamed
// on its way across (mosquitto.conf(5), `topic PATTERN DIRECTION QOS LOCAL_PREFIX REMOTE_PREFIX`). An empty
// pattern or prefix is mosquitto.conf's "" placeholder.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/bridge_config.hpp"

namespace culex::bridge {

// The filter the bridge subscribes to on the local broker (out, both): LOCAL_PREFIX + PATTERN.
std::string local_filter(const config::BridgeTopic& rule);
// The filter it subscribes to on the remote broker (in, both): REMOTE_PREFIX + PATTERN.
std::string remote_filter(const config::BridgeTopic& rule);

// A local topic on its way out: nullopt unless it matches local_filter(rule); else LOCAL_PREFIX replaced by
// REMOTE_PREFIX.
std::optional<std::string> to_remote(const config::BridgeTopic& rule, std::string_view local_topic);
// A remote topic on its way in: nullopt unless it matches remote_filter(rule); else REMOTE_PREFIX replaced
// by LOCAL_PREFIX.
std::optional<std::string> to_local(const config::BridgeTopic& rule, std::string_view remote_topic);

// A rule with both filters made once, for the per-message path: matching costs no allocation, and renaming
// only when the prefixes differ.
struct TopicRoute {
    explicit TopicRoute(config::BridgeTopic r)
        : rule(std::move(r)), local(local_filter(rule)), remote(remote_filter(rule)) {}
    config::BridgeTopic rule;
    std::string local;
    std::string remote;
    bool renames() const { return rule.local_prefix != rule.remote_prefix; }
};

inline bool goes_out(const config::BridgeTopic& rule) {
    return rule.direction != config::BridgeDirection::in;
}
inline bool comes_in(const config::BridgeTopic& rule) {
    return rule.direction != config::BridgeDirection::out;
}

}  // namespace culex::bridge
