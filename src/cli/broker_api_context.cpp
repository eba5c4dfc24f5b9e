#include "cli/broker_api_context.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

namespace culex::cli {

namespace {

std::string_view protocol_name(config::ListenerProtocol protocol) {
    switch (protocol) {
        case config::ListenerProtocol::mqtt:
            return "mqtt";
        case config::ListenerProtocol::websockets:
            return "websockets";
        case config::ListenerProtocol::http:
            return "http";
    }
    return "mqtt";
}

std::string_view direction_name(config::BridgeDirection direction) {
    switch (direction) {
        case config::BridgeDirection::out:
            return "out";
        case config::BridgeDirection::in:
            return "in";
        case config::BridgeDirection::both:
            return "both";
    }
    return "out";
}

std::string_view bridge_protocol_name(config::BridgeProtocol protocol) {
    switch (protocol) {
        case config::BridgeProtocol::mqttv31:
            return "mqttv31";
        case config::BridgeProtocol::mqttv311:
            return "mqttv311";
        case config::BridgeProtocol::mqttv50:
            return "mqttv50";
    }
    return "mqttv311";
}

}  // namespace

ops::ApiContext api_context(const config::Config& config, std::string_view version) {
    ops::ApiContext context;
    context.version = fmt::format("culex version {}", version);
    for (const auto& listener : config.listeners) {
        const std::string& address =
            listener.unix_socket_path.empty() ? listener.bind_address : listener.unix_socket_path;
        context.listeners.push_back(
            {listener.port, address, std::string(protocol_name(listener.protocol)), listener.tls.enabled()});
    }
    for (const auto& bridge : config.bridges) {
        ops::BridgeInfo info{bridge.name, {}, std::string(bridge_protocol_name(bridge.protocol)), {}};
        for (const auto& address : bridge.addresses)
            info.addresses.push_back(fmt::format("{}:{}", address.host, address.port));
        for (const auto& topic : bridge.topics)
            info.topics.push_back({topic.pattern, std::string(direction_name(topic.direction)), topic.qos,
                                   topic.local_prefix, topic.remote_prefix});
        context.bridges.push_back(std::move(info));
    }
    // Exactly what SIGHUP does: the signal goes to the broker's own handler (net/server.cpp).
    context.reload = [] { ::kill(::getpid(), SIGHUP); };
    // context.bridge_state is set by the broker command, which owns the bridges.
    return context;
}

}  // namespace culex::cli
