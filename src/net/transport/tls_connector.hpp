// TLS for the client: a Connector that resolves, connects within the deadline, and runs the TLS handshake
// (SNI, certificate and host-name checks from tls::ClientContext) before handing over a Transport. A failed
// handshake is reported as a ConnectError whose message is tls::explain's cause and fix, not "A TLS error
// occurred". A TLS alert that arrives after the handshake (a TLS 1.3 broker refuses a client certificate
// only after the client has finished) is explained through `on_tls_error` before the read fails.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "net/transport/connector.hpp"
#include "tls/client_context.hpp"
#include "tls/explain.hpp"

namespace culex::net {

using TlsErrorSink = std::function<void(std::string_view explanation)>;

// The connector must outlive the io_context's run(); `context` is kept for as long as any stream uses it.
std::unique_ptr<Connector> make_tls_connector(boost::asio::io_context& io, tls::ClientContextPtr context,
                                              TlsErrorSink on_tls_error = {});

// "TLS handshake with H:P failed (reason): cause\nFix: fix", the text culex's clients print after "Error: ".
std::string tls_failure_text(const tls::HandshakeExplanation& explanation);

}  // namespace culex::net
