// The byte stream under a broker connection over TLS or WebSockets (plain TCP goes to the socket directly,
// see Connection), so that Connection's MQTT framing, batching and keepalive are written once. One virtual
// call per read or write of a whole buffer, never per byte or per packet.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace culex::net {

class Transport {
  public:
    using Handler = std::function<void(const boost::system::error_code&, std::size_t)>;

    virtual ~Transport() = default;

    // The bytes of the owner's write in flight, while the owner gathers the next batch. Kept here rather than
    // in the connection: only connections with a transport write this way, and a plain TCP connection is
    // smaller by a pointer for it (memory per idle connection is what limits a fleet).
    std::string writing;
    // Completes with at least one byte, or an error (eof when the peer closed).
    virtual void async_read_some(boost::asio::mutable_buffer buffer, Handler handler) = 0;
    // Completes when every byte is written, or with an error.
    virtual void async_write(boost::asio::const_buffer buffer, Handler handler) = 0;
    // Ends the connection now; pending operations complete with an error.
    virtual void close() = 0;
    virtual boost::asio::any_io_executor executor() = 0;
    // The TCP socket beneath every layer. A lingering close shuts its sending side and reads and drops what
    // the peer still sends straight from it: nothing after our last words needs decrypting or deframing.
    virtual boost::asio::ip::tcp::socket& lowest_socket() = 0;
    // The peer's endpoint, captured at accept.
    virtual const boost::asio::ip::tcp::endpoint& remote_endpoint() const = 0;
};

std::unique_ptr<Transport> make_tcp_transport(boost::asio::ip::tcp::socket socket);

}  // namespace culex::net
