// The client side of the transport stack: a Connector opens a Transport to a host and port (the MQTT
// clients, and the bridges to come). Plain TCP here; TLS in tls_connector.hpp.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "net/transport/transport.hpp"

namespace culex::net {

struct Endpoint {
    std::string host = "localhost";
    std::uint16_t port = 1883;
    // The local IP address to connect from (a bridge's bridge_bind_address); empty: the system chooses.
    std::string bind_address;
};

// Why a connection could not be made, in words a user can act on.
struct ConnectError {
    enum class Kind {
        lookup,   // the host name did not resolve
        connect,  // the TCP connection (or the TLS handshake) failed: message says why
        timeout,  // not connected within the deadline
    };
    Kind kind = Kind::connect;
    std::string message;
};

class Connector {
  public:
    using Handler = std::function<void(std::expected<std::unique_ptr<Transport>, ConnectError>)>;

    virtual ~Connector() = default;
    // Resolves `endpoint` and connects to the first address that answers, within `timeout`. Errors: lookup
    // (the name did not resolve), connect (message: the system's words, e.g. "Connection refused"), timeout.
    virtual void async_connect(const Endpoint& endpoint, std::chrono::milliseconds timeout,
                               Handler handler) = 0;
    // Abandons a connect in progress; its handler is not called.
    virtual void cancel() = 0;
};

// Plain TCP. The connector must outlive the io_context's run().
std::unique_ptr<Connector> make_tcp_connector(boost::asio::io_context& io);

}  // namespace culex::net
