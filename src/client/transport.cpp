#include "client/transport.hpp"

#include <fmt/format.h>

#include "net/transport/tls_connector.hpp"

namespace culex::client {

tls::ClientSettings tls_settings_for(const CommonArgs& args) {
    tls::ClientSettings s;
    s.cafile = args.cafile.value_or("");
    s.capath = args.capath.value_or("");
    s.certfile = args.certfile.value_or("");
    s.keyfile = args.keyfile.value_or("");
    s.use_os_certs = args.tls_use_os_certs;
    s.insecure = args.insecure;
    s.ciphers = args.ciphers.value_or("");
    s.alpn = args.tls_alpn.value_or("");
    if (args.tls_version == "tlsv1.3") s.min_version = config::TlsVersion::tls1_3;
    if (args.tls_version == "tlsv1.2") s.min_version = config::TlsVersion::tls1_2;
    if (args.tls_version == "tlsv1.1") s.min_version = config::TlsVersion::tls1_1;
    return s;
}

std::expected<tls::ClientContextPtr, std::string> tls_context_for(const CommonArgs& args) {
    if (!args.tls()) return tls::ClientContextPtr();
    auto context = tls::make_client_context(tls_settings_for(args));
    if (!context)
        return std::unexpected(
            fmt::format("Error: Problem setting TLS options: {}\n", context.error().message));
    return *context;
}

std::optional<tls::ClientContextPtr> tls_for_tool(const CommonArgs& args, const ToolIo& io) {
    auto context = tls_context_for(args);
    if (!context) {
        if (!args.quiet) std::fputs(context.error().c_str(), io.err);
        std::fflush(io.err);
        return std::nullopt;
    }
    if (*context && args.insecure && !args.quiet) print_line(io.err, tls::insecure_notice());
    return *context;
}

std::unique_ptr<net::Connector> make_connector(boost::asio::io_context& context,
                                               const tls::ClientContextPtr& tls, const ToolIo& io,
                                               bool quiet) {
    if (!tls) return net::make_tcp_connector(context);
    net::TlsErrorSink sink;
    if (!quiet) {
        std::FILE* err = io.err;
        sink = [err](std::string_view text) {
            std::fputs(fmt::format("Error: {}\n", text).c_str(), err);
            std::fflush(err);
        };
    }
    return net::make_tls_connector(context, tls, std::move(sink));
}

}  // namespace culex::client
