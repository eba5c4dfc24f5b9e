// Which connection a tool's flags ask for: plain TCP, or TLS with a context made from mosquitto_pub's TLS
// flags (checked before connecting, so a missing --cafile is reported as such).
#pragma once

#include <boost/asio/io_context.hpp>

#include <expected>
#include <memory>
#include <optional>
#include <string>

#include "client/args.hpp"
#include "client/tool.hpp"
#include "net/transport/connector.hpp"
#include "tls/client_context.hpp"

namespace culex::client {

tls::ClientSettings tls_settings_for(const CommonArgs& args);

// nullptr when the flags do not turn TLS on; on error, the complete text to print ("Error: ...\n").
std::expected<tls::ClientContextPtr, std::string> tls_context_for(const CommonArgs& args);

// tls_context_for as the tools use it: prints the error, or the --insecure notice, on io.err; nullopt after
// an error (the tool exits 1).
std::optional<tls::ClientContextPtr> tls_for_tool(const CommonArgs& args, const ToolIo& io);

// TCP when `tls` is null, else TLS. Late TLS alerts are explained on io.err unless `quiet`.
std::unique_ptr<net::Connector> make_connector(boost::asio::io_context& context,
                                               const tls::ClientContextPtr& tls, const ToolIo& io,
                                               bool quiet);

}  // namespace culex::client
