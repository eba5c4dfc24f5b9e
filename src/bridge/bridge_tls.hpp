// A bridge's TLS: its bridge_* options as the client-side TLS settings of the transport stack (the same code
// as `culex pub --cafile`), and the connector that opens its remote connection, TLS or plain.
#pragma once

#include <expected>
#include <memory>
#include <string>

#include "config/bridge_config.hpp"
#include "net/transport/connector.hpp"
#include "tls/client_context.hpp"

namespace culex::bridge {

tls::ClientSettings client_settings(const config::BridgeTls& tls);

// The bridge's TLS context (null when its TLS is off); the message names the bridge, its line, the option,
// the cause and the fix.
std::expected<tls::ClientContextPtr, std::string> make_bridge_context(const config::BridgeConfig& bridge);

// TLS when `context` is set, plain TCP otherwise. A TLS failure after the handshake (the remote refusing
// our certificate under TLS 1.3) is logged, explained, under the bridge's name.
std::unique_ptr<net::Connector> make_bridge_connector(boost::asio::io_context& io, const std::string& name,
                                                      tls::ClientContextPtr context);

}  // namespace culex::bridge
