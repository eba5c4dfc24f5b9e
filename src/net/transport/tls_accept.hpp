// Accepting a TLS connection: the server handshake, bounded in time, on the connection's own loop. A failed
// handshake is logged as one line that names the peer, OpenSSL's reason, the likely cause and the fix
// (tls::explain_server_handshake); a good one yields the Transport and the peer's certificate identity.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "net/transport/transport.hpp"
#include "tls/peer_identity.hpp"
#include "tls/server_context.hpp"

namespace culex::net {

using TlsAccepted = std::function<void(std::unique_ptr<Transport>, std::optional<tls::PeerIdentity>)>;

// Calls `on_accepted` after a good handshake, else `on_failed` (after logging why).
void accept_tls(boost::asio::ip::tcp::socket socket, tls::ServerContextPtr context,
                std::chrono::seconds timeout, TlsAccepted on_accepted, std::function<void()> on_failed);

}  // namespace culex::net
