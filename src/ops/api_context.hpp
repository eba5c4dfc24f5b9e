// What the admin API knows besides the broker: the configuration's listeners and bridges (as the CLI read
// them), and how to reload the config. Filled by the CLI, which owns the config.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace culex::ops {

struct ListenerInfo {
    std::uint16_t port = 0;  // as configured (0: an ephemeral port)
    std::string address;     // empty: every address
    std::string protocol;    // "mqtt", "websockets", "http"
    bool tls = false;
};

struct BridgeTopicInfo {
    std::string pattern;
    std::string direction;  // "in", "out", "both"
    int qos = 0;
    std::string local_prefix;
    std::string remote_prefix;
};

struct BridgeInfo {
    std::string name;
    std::vector<std::string> addresses;  // "host:port", the first is the main one
    std::string protocol;                // "mqttv311", ...
    std::vector<BridgeTopicInfo> topics;
};

struct ApiContext {
    std::string version;
    std::vector<ListenerInfo> listeners;  // by listener index
    std::vector<BridgeInfo> bridges;
    // Does what SIGHUP does (rereads the config); returns at once, the reload runs on the signal thread.
    std::function<void()> reload;
    // A running bridge's state by name ("connected", "connecting", "disconnected"; nullopt: not running),
    // from bridge::Bridges::status() (set by the broker command: src/ops does not depend on src/bridge).
    // Unset or nullopt, the API answers "state": null.
    std::function<std::optional<std::string>(const std::string& name)> bridge_state;
    // Listener `index`'s port as bound (an ephemeral one's real port), from the server (net::BoundPorts).
    // Unset, or 0, the API shows the configured port.
    std::function<std::uint16_t(std::size_t index)> bound_port;
};

}  // namespace culex::ops
