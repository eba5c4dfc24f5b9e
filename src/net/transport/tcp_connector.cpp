// TCP for the client: resolver, connect with a deadline, then the Transport over the connected socket.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <optional>

#include "net/transport/bound_connect.hpp"
#include "net/transport/connector.hpp"

namespace culex::net {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

class TcpConnector final : public Connector {
  public:
    explicit TcpConnector(asio::io_context& io) : io_(io), resolver_(io), timer_(io) {}

    void async_connect(const Endpoint& endpoint, std::chrono::milliseconds timeout,
                       Handler handler) override {
        cancel();
        handler_ = std::move(handler);
        auto attempt = ++attempt_;
        socket_.emplace(io_);
        resolve_and_connect(
            resolver_, timer_, *socket_, endpoint, timeout, [this, attempt] { return attempt == attempt_; },
            [this](std::optional<ConnectError> error) {
                if (error) return finish(std::unexpected(std::move(*error)));
                // Sets TCP_NODELAY: our writes are whole packets gathered per turn.
                finish(make_tcp_transport(std::move(*socket_)));
            });
    }

    void cancel() override {
        ++attempt_;  // late completions of the old attempt see a different number and return
        resolver_.cancel();
        timer_.cancel();
        if (socket_) {
            boost::system::error_code ignored;
            socket_->close(ignored);
        }
        handler_ = nullptr;
    }

  private:
    void finish(std::expected<std::unique_ptr<Transport>, ConnectError> result) {
        auto handler = std::move(handler_);
        cancel();
        if (handler) handler(std::move(result));
    }

    asio::io_context& io_;
    tcp::resolver resolver_;
    asio::steady_timer timer_;
    std::optional<tcp::socket> socket_;
    std::uint64_t attempt_ = 0;
    Handler handler_;
};

}  // namespace

std::unique_ptr<Connector> make_tcp_connector(asio::io_context& io) {
    return std::make_unique<TcpConnector>(io);
}

}  // namespace culex::net
