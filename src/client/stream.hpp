// The byte pipe under an MQTT client, as a small interface so that TLS (src/tls) and WebSockets slot in
// beside TCP without touching the protocol code: a Connector opens a Stream to a host and port; a Stream
// reads, writes and closes. One virtual call per read or write, never per byte.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "client/error.hpp"

namespace culex::client {

class Stream {
  public:
    using Handler = std::function<void(const boost::system::error_code&, std::size_t)>;

    virtual ~Stream() = default;
    // Completes with at least one byte, or an error (eof when the peer closed).
    virtual void async_read_some(boost::asio::mutable_buffer buffer, Handler handler) = 0;
    // Completes when every byte is written, or with an error.
    virtual void async_write(boost::asio::const_buffer buffer, Handler handler) = 0;
    // Ends the connection now; pending operations complete with operation_aborted.
    virtual void close() = 0;
};

struct Endpoint {
    std::string host = "localhost";
    std::uint16_t port = 1883;
};

class Connector {
  public:
    using Handler = std::function<void(std::expected<std::unique_ptr<Stream>, Error>)>;

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

}  // namespace culex::client
