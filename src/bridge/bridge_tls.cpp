#include "bridge/bridge_tls.hpp"

#include <fmt/format.h>

#include "log/logger.hpp"
#include "net/transport/tls_connector.hpp"

namespace culex::bridge {

tls::ClientSettings client_settings(const config::BridgeTls& tls) {
    tls::ClientSettings settings;
    settings.cafile = tls.cafile;
    settings.capath = tls.capath;
    settings.certfile = tls.certfile;
    settings.keyfile = tls.keyfile;
    settings.insecure = tls.insecure;
    settings.min_version = tls.min_version;
    settings.ciphers = tls.ciphers;
    settings.ciphersuites = tls.ciphers_tls13;
    settings.alpn = tls.alpn;
    settings.names = tls::ClientOptionNames::bridge();
    return settings;
}

std::expected<tls::ClientContextPtr, std::string> make_bridge_context(const config::BridgeConfig& bridge) {
    if (!bridge.tls.enabled()) return tls::ClientContextPtr{};
    auto context = tls::make_client_context(client_settings(bridge.tls));
    if (!context)
        return std::unexpected(fmt::format("{}:{}: bridge '{}': {}", bridge.source_file, bridge.source_line,
                                           bridge.name, context.error().message));
    return std::move(*context);
}

std::unique_ptr<net::Connector> make_bridge_connector(boost::asio::io_context& io, const std::string& name,
                                                      tls::ClientContextPtr context) {
    if (!context) return net::make_tcp_connector(io);
    return net::make_tls_connector(io, std::move(context), [name](std::string_view explanation) {
        log::logger().log(log::LogType::error, "Bridge {}: {}", name, explanation);
    });
}

}  // namespace culex::bridge
