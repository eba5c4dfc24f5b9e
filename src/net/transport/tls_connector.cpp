// The TLS connector and its Transport: TCP connect with a deadline, then the handshake, on boost::asio::ssl.
#include "net/transport/tls_connector.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <fmt/format.h>

#include <optional>

#include "net/transport/bound_connect.hpp"
#include "tls/explain.hpp"

namespace culex::net {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using SslSocket = asio::ssl::stream<tcp::socket>;

// What a stream's pending operations need after the stream object is gone: an ssl::stream must outlive its
// asynchronous operations (they use its state when they complete), but the Client may drop a stream with a
// read pending. Every handler holds this, so the last one to finish frees it.
struct TlsShared {
    std::shared_ptr<SslSocket> socket;
    tls::ClientContextPtr context;
    Endpoint endpoint;
    TlsErrorSink on_tls_error;
    bool reported = false;

    // A TLS alert after the handshake: the broker refused us late (TLS 1.3 client certificates).
    void report(const boost::system::error_code& ec) {
        if (reported || !on_tls_error) return;
        reported = true;
        auto e = tls::explain_client_handshake(context->info(), socket->native_handle(),
                                               tls::handshake_error(ec), endpoint.host, endpoint.port);
        on_tls_error(tls_failure_text(e));
    }
};

class TlsTransport final : public Transport {
  public:
    explicit TlsTransport(std::shared_ptr<TlsShared> shared) : shared_(std::move(shared)) {
        boost::system::error_code ignored;
        remote_ = shared_->socket->lowest_layer().remote_endpoint(ignored);
    }
    ~TlsTransport() override { close(); }

    void async_read_some(asio::mutable_buffer buffer, Handler handler) override {
        shared_->socket->async_read_some(buffer, [shared = shared_, handler = std::move(handler)](
                                                     const boost::system::error_code& ec, std::size_t n) {
            if (ec && ec.category() == asio::error::get_ssl_category()) shared->report(ec);
            handler(ec, n);
        });
    }
    void async_write(asio::const_buffer buffer, Handler handler) override {
        asio::async_write(*shared_->socket, buffer,
                          [shared = shared_, handler = std::move(handler)](
                              const boost::system::error_code& ec, std::size_t n) { handler(ec, n); });
    }
    void close() override {
        boost::system::error_code ignored;
        shared_->socket->lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
        shared_->socket->lowest_layer().close(ignored);
    }

    asio::any_io_executor executor() override { return shared_->socket->get_executor(); }
    tcp::socket& lowest_socket() override { return shared_->socket->next_layer(); }
    const tcp::endpoint& remote_endpoint() const override { return remote_; }

  private:
    std::shared_ptr<TlsShared> shared_;
    tcp::endpoint remote_;
};

class TlsConnector final : public Connector {
  public:
    TlsConnector(asio::io_context& io, tls::ClientContextPtr context, TlsErrorSink on_tls_error)
        : io_(io),
          context_(std::move(context)),
          on_tls_error_(std::move(on_tls_error)),
          resolver_(io),
          timer_(io) {}

    void async_connect(const Endpoint& endpoint, std::chrono::milliseconds timeout,
                       Handler handler) override {
        cancel();
        handler_ = std::move(handler);
        endpoint_ = endpoint;
        auto attempt = ++attempt_;
        socket_ = std::make_shared<SslSocket>(io_, context_->asio_context());
        resolve_and_connect(
            resolver_, timer_, socket_->next_layer(), endpoint, timeout,
            [this, attempt] { return attempt == attempt_; },
            [this, attempt](std::optional<ConnectError> error) {
                if (error) return finish(std::unexpected(std::move(*error)));
                handshake(attempt);
            });
    }

    void cancel() override {
        ++attempt_;
        resolver_.cancel();
        timer_.cancel();
        if (socket_) {
            boost::system::error_code ignored;
            socket_->lowest_layer().close(ignored);
        }
        handler_ = nullptr;
    }

  private:
    void handshake(std::uint64_t attempt) {
        boost::system::error_code ignored;
        socket_->lowest_layer().set_option(tcp::no_delay(true), ignored);
        auto prepared = tls::prepare_client_connection(socket_->native_handle(), *context_, endpoint_.host);
        if (!prepared) {
            finish(std::unexpected(ConnectError{ConnectError::Kind::connect, prepared.error().message}));
            return;
        }
        socket_->async_handshake(
            asio::ssl::stream_base::client, [this, attempt](const boost::system::error_code& ec) {
                if (attempt != attempt_) return;
                if (ec) {
                    auto e = tls::explain_client_handshake(context_->info(), socket_->native_handle(),
                                                           tls::handshake_error(ec), endpoint_.host,
                                                           endpoint_.port);
                    finish(std::unexpected(ConnectError{ConnectError::Kind::connect, tls_failure_text(e)}));
                    return;
                }
                auto shared = std::make_shared<TlsShared>(
                    TlsShared{std::move(socket_), context_, endpoint_, on_tls_error_});
                finish(std::make_unique<TlsTransport>(std::move(shared)));
            });
    }

    void finish(std::expected<std::unique_ptr<Transport>, ConnectError> result) {
        auto handler = std::move(handler_);
        cancel();
        if (handler) handler(std::move(result));
    }

    asio::io_context& io_;
    tls::ClientContextPtr context_;
    TlsErrorSink on_tls_error_;
    tcp::resolver resolver_;
    asio::steady_timer timer_;
    std::shared_ptr<SslSocket> socket_;
    Endpoint endpoint_;
    std::uint64_t attempt_ = 0;
    Handler handler_;
};

}  // namespace

std::string tls_failure_text(const tls::HandshakeExplanation& e) {
    std::string reason = e.openssl_reason.empty() ? std::string() : fmt::format(" ({})", e.openssl_reason);
    std::string head = e.line.substr(0, e.line.find(" failed") + std::string_view(" failed").size());
    std::string text = fmt::format("{}{}: {}", head, reason, e.cause);
    if (!e.fix.empty()) text += fmt::format("\nFix: {}", e.fix);
    return text;
}

std::unique_ptr<Connector> make_tls_connector(asio::io_context& io, tls::ClientContextPtr context,
                                              TlsErrorSink on_tls_error) {
    return std::make_unique<TlsConnector>(io, std::move(context), std::move(on_tls_error));
}

}  // namespace culex::net
