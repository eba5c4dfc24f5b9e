#include "net/transport/websocket_accept.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <boost/algorithm/string/predicate.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "log/logger.hpp"
#include "net/transport/endpoint_text.hpp"

namespace culex::net {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using boost::system::error_code;
using culex::log::logger;
using culex::log::LogType;

// Beast's websocket::stream wants an AsyncStream beneath it; this one forwards to a Transport, so WebSockets
// run over TCP and over TLS alike (TLS keeps its explained handshake in tls_accept.cpp). One shared handler
// per read or write, not per byte.
class TransportStream {
  public:
    using executor_type = asio::any_io_executor;

    explicit TransportStream(std::unique_ptr<Transport> transport) : transport_(std::move(transport)) {}

    executor_type get_executor() { return transport_->executor(); }
    Transport& transport() { return *transport_; }

    template <class Buffers, class Token>
    auto async_read_some(const Buffers& buffers, Token&& token) {
        return asio::async_initiate<Token, void(error_code, std::size_t)>(
            [this](auto handler, asio::mutable_buffer buffer) {
                transport_->async_read_some(buffer, share(std::move(handler)));
            },
            token, first_buffer<asio::mutable_buffer>(buffers));
    }

    // A partial write of the sequence, as write_some may do: one Transport write of either the first buffer
    // alone (a large one, written without a copy) or a small first buffer (a frame header) with what follows
    // it, copied up to kCoalesce bytes, so that a frame goes out in one segment rather than two.
    template <class Buffers, class Token>
    auto async_write_some(const Buffers& buffers, Token&& token) {
        return asio::async_initiate<Token, void(error_code, std::size_t)>(
            [this](auto handler, asio::const_buffer buffer) {
                transport_->async_write(buffer, share(std::move(handler)));
            },
            token, coalesce(buffers));
    }

  private:
    static constexpr std::size_t kCoalesce = 16 * 1024;

    template <class Buffers>
    asio::const_buffer coalesce(const Buffers& buffers) {
        auto first = first_buffer<asio::const_buffer>(buffers);
        if (first.size() >= kCoalesce || asio::buffer_size(buffers) == first.size()) return first;
        scratch_.clear();
        for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it) {
            asio::const_buffer b(*it);
            std::size_t take = std::min(b.size(), kCoalesce - scratch_.size());
            scratch_.append(static_cast<const char*>(b.data()), take);
            if (scratch_.size() == kCoalesce) break;
        }
        return asio::buffer(scratch_);
    }

    template <class Buffer, class Buffers>
    static Buffer first_buffer(const Buffers& buffers) {
        for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it)
            if (Buffer b(*it); b.size() > 0) return b;
        return Buffer();
    }

    // Transport takes a copyable std::function; Beast's handlers move only.
    template <class Handler>
    static Transport::Handler share(Handler handler) {
        auto shared = std::make_shared<Handler>(std::move(handler));
        return [shared](const error_code& ec, std::size_t bytes) { std::move (*shared)(ec, bytes); };
    }

    std::unique_ptr<Transport> transport_;
    std::string scratch_;  // the one write in flight (Beast never starts two) when it was coalesced
};

// Beast closes the layer beneath on its own timeouts (unused here: the handshake has its timer, MQTT its
// keepalive) and ends its close handshake with a teardown; both found by argument-dependent lookup.
[[maybe_unused]] void beast_close_socket(TransportStream& stream) {
    stream.transport().close();
}

// Beast's close handshake ends with a teardown of the layer beneath: found by argument-dependent lookup.
[[maybe_unused]] void teardown(beast::role_type, TransportStream& stream, error_code& ec) {
    stream.transport().close();
    ec = {};
}

template <class Handler>
void async_teardown(beast::role_type, TransportStream& stream, Handler&& handler) {
    stream.transport().close();
    asio::post(stream.get_executor(),
               [h = std::forward<Handler>(handler)]() mutable { std::move(h)(error_code{}); });
}

using WsStream = websocket::stream<TransportStream>;

// The subprotocol to answer with: the first the client offers that is MQTT ("mqttv3.1" is what MQTT 3.1
// clients such as older Paho versions ask for). Empty: the client asked for none (answered without one).
// nullopt: it asked only for others.
std::optional<std::string> choose_subprotocol(std::string_view offered) {
    if (offered.empty()) return std::string();
    while (!offered.empty()) {
        auto comma = offered.find(',');
        auto token = offered.substr(0, comma);
        while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
            token.remove_prefix(1);
        while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
            token.remove_suffix(1);
        if (boost::iequals(token, "mqtt") || boost::iequals(token, "mqttv3.1")) return std::string(token);
        if (comma == std::string_view::npos) break;
        offered.remove_prefix(comma + 1);
    }
    return std::nullopt;
}

class WebSocketTransport final : public Transport {
  public:
    WebSocketTransport(std::unique_ptr<WsStream> ws, asio::ip::tcp::endpoint endpoint)
        : ws_(std::move(ws)), endpoint_(endpoint) {}

    // Frame and message boundaries mean nothing to MQTT: read whatever payload bytes come.
    void async_read_some(asio::mutable_buffer buffer, Handler handler) override {
        ws_->async_read_some(buffer, std::move(handler));
    }
    // One binary message per gathered write.
    void async_write(asio::const_buffer buffer, Handler handler) override {
        ws_->async_write(buffer, std::move(handler));
    }
    // No close handshake, as with TLS's close_notify: the MQTT session is over either way.
    void close() override { ws_->next_layer().transport().close(); }
    asio::any_io_executor executor() override { return ws_->get_executor(); }
    asio::ip::tcp::socket& lowest_socket() override { return ws_->next_layer().transport().lowest_socket(); }
    const asio::ip::tcp::endpoint& remote_endpoint() const override { return endpoint_; }

  private:
    std::unique_ptr<WsStream> ws_;
    asio::ip::tcp::endpoint endpoint_;
};

// The state of one upgrade in progress.
struct Upgrade : std::enable_shared_from_this<Upgrade> {
    Upgrade(std::unique_ptr<Transport> transport, std::uint16_t listener_port, std::size_t header_limit,
            WebSocketAccepted done, std::function<void()> failed)
        : endpoint(transport->remote_endpoint()),
          port(listener_port),
          headers_size(header_limit),
          ws(std::make_unique<WsStream>(std::move(transport))),
          timer(ws->get_executor()),
          buffer(header_limit + kBodyLimit),
          on_accepted(std::move(done)),
          on_failed(std::move(failed)) {
        // Before anyone logged in, a stranger's request is held whole: at most this much of it.
        parser.header_limit(static_cast<std::uint32_t>(header_limit));
        parser.body_limit(kBodyLimit);
    }

    void start(std::chrono::seconds timeout) {
        timer.expires_after(timeout);
        timer.async_wait([self = shared_from_this()](error_code ec) {
            if (ec || self->finished) return;
            self->timed_out = true;
            self->ws->next_layer().transport().close();
        });
        http::async_read(ws->next_layer(), buffer, parser,
                         [self = shared_from_this()](error_code ec, std::size_t) { self->on_request(ec); });
    }

    void on_request(error_code ec) {
        if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
            return fail(fmt::format("sent HTTP headers over the {} bytes websockets_headers_size allows",
                                    headers_size));
        if (ec == http::error::body_limit) return fail("sent an upgrade request with a body");
        if (ec) return fail(ec == http::error::end_of_stream ? "closed the connection" : ec.message());
        const auto& request = parser.get();
        if (!websocket::is_upgrade(request))
            return fail("sent an HTTP request that is not a WebSocket upgrade");
        auto subprotocol = choose_subprotocol(request[http::field::sec_websocket_protocol]);
        if (!subprotocol)
            return fail(fmt::format("offered WebSocket subprotocols '{}', none of them mqtt",
                                    std::string_view(request[http::field::sec_websocket_protocol])));
        ws->set_option(
            websocket::stream_base::decorator([chosen = *subprotocol](websocket::response_type& r) {
                if (!chosen.empty()) r.set(http::field::sec_websocket_protocol, chosen);
            }));
        ws->async_accept(request,
                         [self = shared_from_this()](error_code accept_ec) { self->on_upgraded(accept_ec); });
    }

    void on_upgraded(error_code ec) {
        if (ec) return fail(ec.message());
        finished = true;
        timer.cancel();
        ws->binary(true);
        ws->auto_fragment(false);
        ws->read_message_max(0);  // MQTT's own limits (max_packet_size) apply to what the frames carry
        on_accepted(std::make_unique<WebSocketTransport>(std::move(ws), endpoint));
    }

    void fail(const std::string& why) {
        finished = true;
        timer.cancel();
        if (timed_out)
            logger().log(LogType::notice,
                         "Client {} did not finish the WebSocket upgrade in time on port {}: closing the "
                         "connection.",
                         endpoint_text(endpoint), port);
        else
            logger().log(LogType::notice, "Client {} failed the WebSocket upgrade on port {}: it {}.",
                         endpoint_text(endpoint), port, why);
        ws->next_layer().transport().close();
        on_failed();
    }

    // An upgrade is a GET: nothing in its body is for us.
    static constexpr std::size_t kBodyLimit = 1024;

    asio::ip::tcp::endpoint endpoint;
    std::uint16_t port;
    std::size_t headers_size;
    std::unique_ptr<WsStream> ws;
    asio::steady_timer timer;
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    WebSocketAccepted on_accepted;
    std::function<void()> on_failed;
    bool finished = false;
    bool timed_out = false;
};

}  // namespace

void accept_websocket(std::unique_ptr<Transport> transport, std::uint16_t port, std::chrono::seconds timeout,
                      std::size_t header_limit, WebSocketAccepted on_accepted,
                      std::function<void()> on_failed) {
    std::make_shared<Upgrade>(std::move(transport), port, header_limit, std::move(on_accepted),
                              std::move(on_failed))
        ->start(timeout);
}

}  // namespace culex::net
