#include "net/listener.hpp"

#include <sys/stat.h>

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
      unix_acceptor_(loops_.front()->context()),
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

std::expected<void, std::string> Listener::open_unix(const std::string& path) {
    boost::system::error_code ec;
    auto fail = [&](std::string_view what) {
        return std::unexpected(fmt::format("cannot listen on the Unix socket {}: {}", path, what));
    };
    if (struct stat st{}; ::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return fail("a file that is not a socket is in the way; remove it or choose another path");
        // A socket file outlives the process that made it: replace it unless something still listens on it.
        asio::local::stream_protocol::socket probe(loops_.front()->context());
        probe.connect(asio::local::stream_protocol::endpoint(path), ec);
        if (!ec)
            return fail("another process listens on it (another broker?); stop it or choose another path");
        ::unlink(path.c_str());
    }
    unix_acceptor_.open(asio::local::stream_protocol(), ec);
    if (!ec) unix_acceptor_.bind(asio::local::stream_protocol::endpoint(path), ec);
    if (!ec) unix_acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail(ec.message() + "; check that its directory exists and is writable");
    // Connecting takes write permission on the socket file: its owner and group may, no one else.
    ::chmod(path.c_str(), 0770);
    unix_path_ = path;
    logger().log(LogType::notice, "Opening unix listen socket on path {}.", path);
    return {};
}

void Listener::accept() {
    EventLoop& target = *loops_[next_loop_];
    next_loop_ = (next_loop_ + 1) % loops_.size();
    if (unix_path_.empty())
        acceptor_.async_accept(target.context(),
                               [this, &target](boost::system::error_code ec, asio::ip::tcp::socket socket) {
                                   on_accepted(target, ec, std::move(socket));
                               });
    else
        unix_acceptor_.async_accept(
            target.context(),
            [this, &target](boost::system::error_code ec, asio::local::stream_protocol::socket socket) {
                on_accepted(target, ec, std::move(socket));
            });
}

template <class Socket>
void Listener::on_accepted(EventLoop& target, boost::system::error_code ec, Socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec == asio::error::connection_aborted) return accept();  // the peer gave up first: take the next
    if (ec) return back_off(ec);
    admit(target, std::move(socket));
    accept();
}

template <class Socket>
void Listener::admit(EventLoop& target, Socket socket) {
    int open = ++open_connections_;
    if (max_connections_ >= 0 && open > max_connections_) {
        boost::system::error_code ec;
        std::string from = unix_path_;
        if constexpr (std::is_same_v<Socket, asio::ip::tcp::socket>) {
            auto peer = socket.remote_endpoint(ec);
            from = ec ? std::string("unknown") : peer.address().to_string();
        }
        logger().log_connection(LogType::notice,
                                "Client connection from {} denied: max_connections exceeded.", from);
        --open_connections_;
        socket.close(ec);
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
    logger().log_connection(LogType::notice, "New connection from {} on port {}.", endpoint_text(endpoint),
                            port_);
    tls::ServerContextPtr context = tls_.load();
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

void Listener::start_connection(EventLoop& loop, asio::local::stream_protocol::socket socket) {
    // Mosquitto's words for a Unix socket client: its address is the socket's path, its port 0.
    logger().log_connection(LogType::notice, "New connection from {}:0 on port 0.", unix_path_);
    boost::system::error_code ec;
    socket.non_blocking(true, ec);
    int descriptor = socket.release(ec);
    if (ec) {
        logger().log(LogType::error, "Cannot take over the socket of a new connection: {}.", ec.message());
        --open_connections_;
        return;
    }
    auto connection = std::make_shared<Connection>(descriptor, Connection::UnixPeer{}, loop);
    connection->start(index_);
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
    if (unix_acceptor_.is_open()) {
        unix_acceptor_.close(ec);
        ::unlink(unix_path_.c_str());
    }
}

}  // namespace culex::net
