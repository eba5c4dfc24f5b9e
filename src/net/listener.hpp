// A listening socket. It accepts on its own loop and places each new connection on the next loop in turn.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <expected>
#include <string>
#include <vector>

#include "base/shared_snapshot.hpp"
#include "broker/broker.hpp"
#include "net/connection.hpp"
#include "net/event_loop.hpp"
#include "tls/server_context.hpp"

namespace culex::net {

class Listener {
  public:
    // `index`: the listener's place in the configuration, which selects its access policy.
    Listener(std::vector<EventLoop*> loops, broker::Broker& broker, std::atomic<int>& open_connections,
             int max_connections, int index);

    // Binds and listens; logs "Opening ipv4 listen socket on port N." as Mosquitto does.
    std::expected<void, std::string> open(const boost::asio::ip::tcp::endpoint& endpoint);
    // A Unix socket at `path` (`listener 0 PATH`), plain MQTT. A socket file left by a broker that is gone is
    // replaced; one a live process listens on, or a file of another kind, is an error. Removed at close().
    std::expected<void, std::string> open_unix(const std::string& path);
    void start() { accept(); }
    int index() const { return index_; }
    // The port bound by open() (the system's choice for port 0); 0 for a Unix socket.
    std::uint16_t port() const { return port_; }
    void close();
    // TLS listeners: the context new connections use (SIGHUP replaces it; existing connections keep
    // theirs). Null: plain TCP.
    void set_tls(tls::ServerContextPtr context) { tls_.store(std::move(context)); }
    // `protocol websockets`: MQTT over WebSockets (over TLS too when set_tls gives a context). Before open().
    void set_websockets(bool on) { websockets_ = on; }

  private:
    void accept();
    // An accept failed for a reason that a retry at once would meet again (out of file descriptors): log it
    // once and accept again after kAcceptRetryDelay.
    void back_off(const boost::system::error_code& ec);
    // TCP or Unix stream sockets alike: admits what was accepted, then accepts the next.
    template <class Socket>
    void on_accepted(EventLoop& target, boost::system::error_code ec, Socket socket);
    // Counts and hands an accepted socket to its loop, or refuses it past max_connections.
    template <class Socket>
    void admit(EventLoop& target, Socket socket);
    void start_connection(EventLoop& loop, boost::asio::ip::tcp::socket socket);
    void start_connection(EventLoop& loop, boost::asio::local::stream_protocol::socket socket);
    // Plain TCP: the connection takes the socket's descriptor over from Asio.
    void serve_plain(EventLoop& loop, boost::asio::ip::tcp::socket socket);
    // The broker side of a connection whose transport is ready (TLS and WebSocket handshakes done).
    void serve(EventLoop& loop, std::unique_ptr<Transport> transport, const CertificateLogin& login);

    std::vector<EventLoop*> loops_;
    broker::Broker& broker_;
    std::atomic<int>& open_connections_;
    int max_connections_;
    int index_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::local::stream_protocol::acceptor unix_acceptor_;  // open instead of acceptor_ for a path
    std::string unix_path_;
    std::uint16_t port_ = 0;
    std::size_t next_loop_ = 0;
    SharedSnapshot<tls::ServerContext> tls_;
    static constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
    boost::asio::steady_timer retry_timer_;
    bool accept_failing_ = false;  // logged, until an accept succeeds
    bool closed_ = false;
    bool websockets_ = false;
};

}  // namespace culex::net
