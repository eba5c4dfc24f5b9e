#include "net/transport/tls_accept.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "log/logger.hpp"
#include "net/transport/endpoint_text.hpp"
#include "tls/explain.hpp"

namespace culex::net {

namespace {

namespace asio = boost::asio;
using culex::log::logger;
using culex::log::LogType;
using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

// asio's ssl::stream completes a read with the plaintext of one TLS record at most. A client that writes a
// record per PUBLISH (most MQTT clients do) would make each message a step of its own, and so each
// subscriber's output a write and a TLS record of its own: batching lost. Records that one recv() already
// brought (in the BIO asio filled) are decrypted into the same buffer before the read completes, so a step
// holds what one recv() brought, as on plain TCP. A record not complete yet is left for the next read, and an
// error for the next read to report.
std::size_t read_received_records(SSL* ssl, asio::mutable_buffer buffer, std::size_t got) {
    auto* data = static_cast<char*>(buffer.data());
    while (got < buffer.size() && (BIO_ctrl_pending(SSL_get_rbio(ssl)) > 0 || SSL_has_pending(ssl) == 1)) {
        std::size_t n = 0;
        ERR_clear_error();
        if (SSL_read_ex(ssl, data + got, buffer.size() - got, &n) != 1) break;
        got += n;
    }
    ERR_clear_error();
    return got;
}

class TlsTransport final : public Transport {
  public:
    TlsTransport(std::unique_ptr<TlsStream> stream, tls::ServerContextPtr context,
                 asio::ip::tcp::endpoint endpoint)
        : stream_(std::move(stream)), context_(std::move(context)), endpoint_(endpoint) {}

    void async_read_some(asio::mutable_buffer buffer, Handler handler) override {
        stream_->async_read_some(buffer,
                                 [ssl = stream_->native_handle(), buffer, handler = std::move(handler)](
                                     const boost::system::error_code& ec, std::size_t n) {
                                     if (!ec) n = read_received_records(ssl, buffer, n);
                                     handler(ec, n);
                                 });
    }
    void async_write(asio::const_buffer buffer, Handler handler) override {
        asio::async_write(*stream_, buffer, std::move(handler));
    }
    void close() override {
        // No close_notify exchange: the MQTT session is over either way, and waiting on a peer that never
        // answers would hold the socket.
        boost::system::error_code ec;
        stream_->lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
        stream_->lowest_layer().close(ec);
    }
    asio::any_io_executor executor() override { return stream_->get_executor(); }
    asio::ip::tcp::socket& lowest_socket() override { return stream_->next_layer(); }
    const asio::ip::tcp::endpoint& remote_endpoint() const override { return endpoint_; }

  private:
    std::unique_ptr<TlsStream> stream_;
    tls::ServerContextPtr context_;  // the context the stream was made with lives as long as the stream
    asio::ip::tcp::endpoint endpoint_;
};

// The state of one handshake in progress.
struct Handshake : std::enable_shared_from_this<Handshake> {
    Handshake(asio::ip::tcp::socket socket, tls::ServerContextPtr ctx, TlsAccepted done,
              std::function<void()> failed)
        : context(std::move(ctx)),
          stream(std::make_unique<TlsStream>(std::move(socket), context->asio_context())),
          timer(stream->get_executor()),
          on_accepted(std::move(done)),
          on_failed(std::move(failed)) {
        boost::system::error_code ec;
        endpoint = stream->lowest_layer().remote_endpoint(ec);
        stream->lowest_layer().set_option(asio::ip::tcp::no_delay(true), ec);
    }

    void start(std::chrono::seconds timeout) {
        timer.expires_after(timeout);
        timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (ec || self->finished) return;
            self->timed_out = true;
            boost::system::error_code ignored;
            self->stream->lowest_layer().close(ignored);
        });
        stream->async_handshake(
            asio::ssl::stream_base::server,
            [self = shared_from_this()](boost::system::error_code ec) { self->done(ec); });
    }

    void done(boost::system::error_code ec) {
        finished = true;
        timer.cancel();
        std::string peer = endpoint_text(endpoint);
        if (timed_out) {
            logger().log(LogType::notice,
                         "Client {} did not finish the TLS handshake in time: closing the connection.", peer);
            on_failed();
            return;
        }
        if (ec) {
            auto explanation = tls::explain_server_handshake(context->info(), stream->native_handle(),
                                                             tls::handshake_error(ec), peer);
            logger().log(LogType::notice, "{}", explanation.line);
            boost::system::error_code ignored;
            stream->lowest_layer().close(ignored);
            on_failed();
            return;
        }
        auto identity = tls::peer_identity(stream->native_handle());
        on_accepted(std::make_unique<TlsTransport>(std::move(stream), context, endpoint),
                    std::move(identity));
    }

    tls::ServerContextPtr context;
    std::unique_ptr<TlsStream> stream;
    asio::steady_timer timer;
    TlsAccepted on_accepted;
    std::function<void()> on_failed;
    asio::ip::tcp::endpoint endpoint;
    bool finished = false;
    bool timed_out = false;
};

}  // namespace

void accept_tls(asio::ip::tcp::socket socket, tls::ServerContextPtr context, std::chrono::seconds timeout,
                TlsAccepted on_accepted, std::function<void()> on_failed) {
    std::make_shared<Handshake>(std::move(socket), std::move(context), std::move(on_accepted),
                                std::move(on_failed))
        ->start(timeout);
}

}  // namespace culex::net
