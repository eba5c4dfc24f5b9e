// Plain TCP as a Transport: what a WebSocket stream runs over.
#include <boost/asio/write.hpp>

#include "net/transport/transport.hpp"

namespace culex::net {

namespace {

namespace asio = boost::asio;

class TcpTransport final : public Transport {
  public:
    explicit TcpTransport(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {
        boost::system::error_code ec;
        endpoint_ = socket_.remote_endpoint(ec);
        socket_.set_option(asio::ip::tcp::no_delay(true), ec);
    }

    void async_read_some(asio::mutable_buffer buffer, Handler handler) override {
        socket_.async_read_some(buffer, std::move(handler));
    }
    void async_write(asio::const_buffer buffer, Handler handler) override {
        asio::async_write(socket_, buffer, std::move(handler));
    }
    void close() override {
        boost::system::error_code ec;
        socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
        socket_.close(ec);
    }
    asio::any_io_executor executor() override { return socket_.get_executor(); }
    asio::ip::tcp::socket& lowest_socket() override { return socket_; }
    const asio::ip::tcp::endpoint& remote_endpoint() const override { return endpoint_; }

  private:
    asio::ip::tcp::socket socket_;
    asio::ip::tcp::endpoint endpoint_;
};

}  // namespace

std::unique_ptr<Transport> make_tcp_transport(asio::ip::tcp::socket socket) {
    return std::make_unique<TcpTransport>(std::move(socket));
}

}  // namespace culex::net
