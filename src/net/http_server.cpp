#include "net/http_server.hpp"

#include <fmt/format.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <thread>

#include "base/shared_snapshot.hpp"
#include "log/logger.hpp"
#include "net/http_session.hpp"
#include "net/transport/endpoint_text.hpp"
#include "net/transport/tls_accept.hpp"

namespace culex::net {

namespace asio = boost::asio;
using culex::log::logger;
using culex::log::LogType;

namespace {

std::string_view reason_phrase(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 202:
            return "Accepted";
        case 413:
            return "Content Too Large";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 503:
            return "Service Unavailable";
        default:
            return "Error";
    }
}

}  // namespace

std::string render_http_response(const HttpResponse& response, bool keep_alive) {
    std::string text =
        fmt::format("HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n", response.status,
                    reason_phrase(response.status), response.content_type, response.body.size());
    if (response.ask_credentials) text += "WWW-Authenticate: Basic realm=\"culex\", charset=\"UTF-8\"\r\n";
    bool allow_named = false;
    for (const auto& [name, value] : response.headers) {
        text += fmt::format("{}: {}\r\n", name, value);
        allow_named = allow_named || name == "Allow";
    }
    if (response.status == 405 && !allow_named) text += "Allow: GET\r\n";
    text += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    text += response.body;
    return text;
}

struct HttpServer::Impl {
    struct Acceptor {
        explicit Acceptor(asio::io_context& context) : socket(context) {}
        asio::ip::tcp::acceptor socket;
        int listener = 0;
        std::uint16_t port = 0;                  // as bound
        SharedSnapshot<tls::ServerContext> tls;  // null: plain HTTP; replaced on SIGHUP
    };

    Impl(HttpHandler h, HttpLimits l) : handler(std::move(h)), limits(l) {}

    void accept(Acceptor& acceptor) {
        acceptor.socket.async_accept(
            [this, &acceptor](boost::system::error_code ec, asio::ip::tcp::socket socket) {
                if (ec == asio::error::operation_aborted || stopping) return;
                if (!ec) serve(acceptor, std::move(socket));
                accept(acceptor);
            });
    }

    void serve(Acceptor& acceptor, asio::ip::tcp::socket socket) {
        boost::system::error_code ec;
        if (open >= limits.max_connections) {
            logger().log(LogType::notice,
                         "HTTP connection from {} refused: {} HTTP connections are open already.",
                         endpoint_text(socket.remote_endpoint(ec)), open);
            socket.close(ec);
            return;
        }
        ++open;
        auto on_closed = [this] { --open; };
        int listener = acceptor.listener;
        auto start = [this, listener, on_closed](std::unique_ptr<Transport> transport) {
            auto session =
                std::make_shared<HttpSession>(std::move(transport), handler, limits, listener, on_closed);
            session->start();
        };
        tls::ServerContextPtr tls = acceptor.tls.load();
        if (!tls) return start(make_tcp_transport(std::move(socket)));
        auto timeout = std::chrono::duration_cast<std::chrono::seconds>(limits.request_timeout);
        accept_tls(
            std::move(socket), std::move(tls), timeout,
            [start](std::unique_ptr<Transport> transport, std::optional<tls::PeerIdentity>) {
                start(std::move(transport));
            },
            on_closed);
    }

    // Declared first: destroyed last, after everything that holds its sockets.
    asio::io_context context{1};
    HttpHandler handler;
    HttpLimits limits;
    std::vector<std::unique_ptr<Acceptor>> acceptors;
    std::size_t open = 0;  // connections, on the HTTP thread
    bool stopping = false;
    std::thread thread;
};

HttpServer::HttpServer(HttpHandler handler, HttpLimits limits)
    : impl_(std::make_shared<Impl>(std::move(handler), limits)) {}

HttpServer::~HttpServer() {
    stop();
}

std::expected<void, std::string> HttpServer::open(const asio::ip::tcp::endpoint& endpoint, int listener,
                                                  tls::ServerContextPtr tls) {
    auto acceptor = std::make_unique<Impl::Acceptor>(impl_->context);
    acceptor->listener = listener;
    bool secure = tls != nullptr;
    acceptor->tls.store(std::move(tls));
    boost::system::error_code ec;
    auto fail = [&](std::string_view step) {
        return std::unexpected(fmt::format("cannot {} {} port {} (HTTP): {}", step,
                                           endpoint.address().to_string(), endpoint.port(), ec.message()));
    };
    auto& socket = acceptor->socket;
    socket.open(endpoint.protocol(), ec);
    if (ec) return fail("open a socket for");
    socket.set_option(asio::socket_base::reuse_address(true), ec);
    if (endpoint.address().is_v6()) socket.set_option(asio::ip::v6_only(true), ec);
    socket.bind(endpoint, ec);
    if (ec) return fail("listen on");
    socket.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail("listen on");
    acceptor->port = socket.local_endpoint().port();
    logger().log(LogType::notice, "Opening http{} listen socket on port {}.", secure ? "s" : "",
                 acceptor->port);
    impl_->acceptors.push_back(std::move(acceptor));
    return {};
}

void HttpServer::start() {
    if (impl_->acceptors.empty() || impl_->thread.joinable()) return;
    for (auto& acceptor : impl_->acceptors)
        impl_->accept(*acceptor);
    impl_->thread = std::thread([impl = impl_.get()] { impl->context.run(); });
}

void HttpServer::replace_tls(int listener, tls::ServerContextPtr tls) {
    for (auto& acceptor : impl_->acceptors)
        if (acceptor->listener == listener) acceptor->tls.store(tls);
}

std::uint16_t HttpServer::bound_port(int listener) const {
    for (const auto& acceptor : impl_->acceptors)
        if (acceptor->listener == listener) return acceptor->port;
    return 0;
}

void HttpServer::stop() {
    if (!impl_->thread.joinable()) return;
    asio::post(impl_->context, [impl = impl_.get()] {
        impl->stopping = true;
        for (auto& acceptor : impl->acceptors) {
            boost::system::error_code ec;
            acceptor->socket.close(ec);
        }
    });
    // What is in flight is cut short: /metrics needs no goodbye.
    impl_->context.stop();
    impl_->thread.join();
}

}  // namespace culex::net
