#include "net/listener.hpp"

#include "log/logger.hpp"
#include "net/connection.hpp"
#include "net/transport/endpoint_text.hpp"
#include "net/transport/tls_accept.hpp"
#include "net/transport/websocket_accept.hpp"

namespace culex::net {

namespace asio = boost::asio;
using culex::log::logger;
using culex::log::LogType;

Listener::Listener(std::vector<EventLoop*> loops, broker::Broker& broker, std::atomic<int>& open_connections,
                   int max_connections, int index)
    : loops_(std::move(loops)),
      broker_(broker),
      open_connections_(open_connections),
      max_connections_(max_connections),
      index_(index),
      acceptor_(loops_.front()->context()),
      retry_timer_(loops_.front()->context()) {}

std::expected<void, std::string> Listener::open(const asio::ip::tcp::endpoint& endpoint) {
    boost::system::error_code ec;
    auto fail = [&](std::string_view step) {
        return std::unexpected(fmt::format("cannot {} {} port {}: {}", step, endpoint.address().to_string(),
                                           endpoint.port(), ec.message()));
    };
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) return fail("open a socket for");
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (endpoint.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(true), ec);
    acceptor_.bind(endpoint, ec);
    if (ec) return fail("listen on");
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail("listen on");
    port_ = acceptor_.local_endpoint().port();
    // Mosquitto's words: "websockets" instead of the address family for WebSockets listeners.
    logger().log(LogType::notice, "Opening {} listen socket on port {}.",
                 websockets_                  ? "websockets"
                 : endpoint.address().is_v6() ? "ipv6"
                                              : "ipv4",
                 port_);
    return {};
}

void Listener::accept() {
    EventLoop& target = *loops_[next_loop_];
    next_loop_ = (next_loop_ + 1) % loops_.size();
    acceptor_.async_accept(target.context(), [this, &target](boost::system::error_code ec,
                                                             asio::ip::tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) {
            int open = ++open_connections_;
            boost::system::error_code peer_ec;
            auto peer = socket.remote_endpoint(peer_ec);
            if (max_connections_ >= 0 && open > max_connections_) {
                logger().log(LogType::notice, "Client connection from {} denied: max_connections exceeded.",
                             peer_ec ? std::string("unknown") : peer.address().to_string());
                --open_connections_;
                socket.close(peer_ec);
            } else {
                // The socket belongs to the target loop: start it there.
                asio::post(target.context(), [this, &target, socket = std::move(socket)]() mutable {
                    start_connection(target, std::move(socket));
                });
            }
            if (accept_failing_) {
                accept_failing_ = false;
                logger().log(LogType::notice, "Accepting connections on port {} again.", port_);
            }
        } else if (ec == asio::error::connection_aborted) {
            // The peer gave up before we took it: nothing is wrong with us, take the next one.
        } else {
            return back_off(ec);
        }
        accept();
    });
}

void Listener::back_off(const boost::system::error_code& ec) {
    // Accepting again at once would fail again at once (descriptors do not free themselves) and spin the loop
    // at 100% CPU, one log line per turn. The pending connections wait in the kernel's backlog meanwhile,
    // and are taken when descriptors free up. One log line per episode: the first failure says why and what
    // to do, the first success after it says that it is over.
    if (!accept_failing_) {
        accept_failing_ = true;
        bool out_of_descriptors =
            ec == asio::error::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system;
        if (out_of_descriptors)
            logger().log(
                LogType::warning,
                "Unable to accept new connection, system socket count has been exceeded. Try increasing "
                "\"ulimit -n\" or equivalent.");
        else
            logger().log(LogType::error, "Error accepting a connection on port {}: {}.", port_, ec.message());
    }
    if (closed_) return;
    retry_timer_.expires_after(kAcceptRetryDelay);
    retry_timer_.async_wait([this](boost::system::error_code timer_ec) {
        if (!timer_ec && !closed_) accept();
    });
}

void Listener::start_connection(EventLoop& loop, asio::ip::tcp::socket socket) {
    boost::system::error_code ec;
    auto endpoint = socket.remote_endpoint(ec);
    logger().log(LogType::notice, "New connection from {} on port {}.", endpoint_text(endpoint), port_);
    tls::ServerContextPtr context = tls_.load(std::memory_order_acquire);
    // A connection counts from accept; one that fails a handshake gives its place back.
    auto give_back = [&open = open_connections_] { --open; };
    auto serve_over_websocket = [this, &loop, give_back](std::unique_ptr<Transport> transport,
                                                         CertificateLogin login) {
        accept_websocket(
            std::move(transport), port_, broker_.settings().connect_timeout,
            broker_.settings().websockets_headers_size,
            [this, &loop, login](std::unique_ptr<Transport> upgraded) {
                serve(loop, std::move(upgraded), login);
            },
            give_back);
    };
    if (!context && !websockets_) return serve_plain(loop, std::move(socket));
    if (!context) return serve_over_websocket(make_tcp_transport(std::move(socket)), {});
    auto on_accepted = [this, &loop, context, serve_over_websocket](
                           std::unique_ptr<Transport> transport, std::optional<tls::PeerIdentity> identity) {
        const auto& settings = context->info().settings;
        CertificateLogin login;
        login.required = settings.use_identity_as_username || settings.use_subject_as_username;
        if (identity)
            login.username =
                settings.use_subject_as_username ? std::optional(identity->subject) : identity->common_name;
        if (websockets_)
            serve_over_websocket(std::move(transport), login);
        else
            serve(loop, std::move(transport), login);
    };
    accept_tls(std::move(socket), std::move(context), broker_.settings().connect_timeout,
               std::move(on_accepted), give_back);
}

void Listener::serve_plain(EventLoop& loop, asio::ip::tcp::socket socket) {
    boost::system::error_code ec;
    auto peer = socket.remote_endpoint(ec);
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
    socket.non_blocking(true, ec);  // the connection reads and writes what the socket takes now, never waits
    // From here the loop's ReadinessPoller watches the descriptor, not Asio.
    int descriptor = socket.release(ec);
    if (ec) {
        logger().log(LogType::error, "Cannot take over the socket of a new connection: {}.", ec.message());
        --open_connections_;
        return;
    }
    auto connection = std::make_shared<Connection>(descriptor, peer, loop);
    connection->start(index_);
}

void Listener::serve(EventLoop& loop, std::unique_ptr<Transport> transport, const CertificateLogin& login) {
    auto connection = std::make_shared<Connection>(std::move(transport), loop);
    connection->start(index_, login);
}

void Listener::close() {
    boost::system::error_code ec;
    closed_ = true;
    retry_timer_.cancel();
    acceptor_.close(ec);
}

}  // namespace culex::net
