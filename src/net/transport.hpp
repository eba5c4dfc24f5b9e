// The byte stream under a broker connection: plain TCP or TLS over TCP (WebSockets come the same way), so
// that Connection's MQTT framing, batching and keepalive are written once. One virtual call per read or
// write of a whole buffer, never per byte or per packet.
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
    // Completes with at least one byte, or an error (eof when the peer closed).
    virtual void async_read_some(boost::asio::mutable_buffer buffer, Handler handler) = 0;
    // Plain sockets can wait until they are readable and then read into a buffer lent for that moment, so
    // that an idle connection holds no read buffer of its own (thousands of idle devices are the common
    // case). Transports that buffer inside (TLS) cannot, and use async_read_some only.
    virtual bool reads_when_ready() const { return false; }
    // Completes when a read would not wait (or with an error).
    virtual void async_wait_readable(Handler handler) {
        handler(boost::asio::error::operation_not_supported, 0);
    }
    // Reads what is there now: bytes, or 0 with would_block, or an error (eof when the peer closed).
    virtual std::size_t read_now(boost::asio::mutable_buffer /*buffer*/, boost::system::error_code& ec) {
        ec = boost::asio::error::operation_not_supported;
        return 0;
    }
    // Completes when every byte is written, or with an error.
    virtual void async_write(boost::asio::const_buffer buffer, Handler handler) = 0;
    // Ends the connection now; pending operations complete with an error.
    virtual void close() = 0;
    virtual boost::asio::any_io_executor executor() = 0;
    // The peer's endpoint, captured at accept.
    virtual const boost::asio::ip::tcp::endpoint& remote_endpoint() const = 0;
};

std::unique_ptr<Transport> make_tcp_transport(boost::asio::ip::tcp::socket socket);

}  // namespace culex::net
