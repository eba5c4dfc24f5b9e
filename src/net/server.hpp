// The network side of `culex broker`: `threads` event loops, each owning the connections it accepted and the
// broker core for them, plus the listeners. No Asio in this header, so the CLI stays cheap to compile.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "broker/access_policy.hpp"
#include "broker/settings.hpp"
#include "net/http_types.hpp"
#include "net/loop_figures.hpp"

namespace culex::tls {
class ServerContext;
}

namespace culex::broker {
class Broker;
}

namespace culex::net {

class EventLoop;

struct ListenerSpec {
    std::string bind_address;   // empty: every address (IPv4 and IPv6)
    std::uint16_t port = 1883;  // 0: an ephemeral port, reported in the "Opening ... listen socket" log line
    int max_connections = -1;   // -1: no limit
    std::shared_ptr<const tls::ServerContext> tls;  // null: plain TCP
    bool websockets = false;                        // MQTT over WebSockets (wss:// with tls)
    bool http = false;  // not MQTT: the HTTP listener (HTTPS with tls), served by ServerOptions::http
    std::string unix_socket_path;  // set: a Unix socket listener (plain MQTT) instead of a TCP port
};

// What the HTTP service may ask the running server, from its own thread, once the server has started.
struct ServerReadings {
    // The port listener `index` (its place in the configuration) is bound to: the one the system chose for
    // port 0 (for a listener on every address, its IPv4 socket's); 0 for a Unix socket.
    std::function<std::uint16_t(std::size_t index)> bound_port;
    // Each event loop's scheduling lag and CPU time (net/loop_probe.hpp).
    LoopFiguresSource loops;
};

struct ServerOptions {
    int threads = 0;  // 0: one per core
    std::vector<ListenerSpec> listeners;
    broker::BrokerSettings settings;
    int max_connections = -1;  // across all listeners; -1: no limit
    // One per listener, in the same order.
    std::vector<broker::AccessPolicy> policies;
    // Called by start() once the listeners are bound and before any connection is accepted: a broker
    // started as root drops privileges here (src/service), then persistence opens its store as the user it
    // stays and restores the broker's state. An error stops the start.
    std::function<std::expected<void, std::string>(broker::Broker&)> prepare;
    // What the HTTP listeners serve, made once the broker exists; needed when a listener has `http`.
    // `readings`: what the handler may ask the server when it answers.
    std::function<HttpHandler(broker::Broker&, ServerReadings readings)> http;
};

class Server {
  public:
    explicit Server(ServerOptions options);
    ~Server();

    // Opens every listener; an error names the address and the cause.
    std::expected<void, std::string> start();
    // Serves until SIGINT or SIGTERM (or stop()). SIGHUP calls `on_reload` on the loop that caught it.
    void run(std::function<void()> on_reload = {});
    // From any thread.
    void stop();
    // The event loops, for services that live on one of them (bridges): post work to them.
    int loop_count() const;
    EventLoop& loop(int index);
    // SIGHUP: new access policies (one per listener, same order), applied to new logins and re-checked
    // against connected clients.
    void replace_policies(std::vector<broker::AccessPolicy> policies);
    // SIGHUP: a new TLS context for listener `index`, MQTT or HTTP (new connections use it; open ones keep
    // theirs).
    void replace_tls(std::size_t index, std::shared_ptr<const tls::ServerContext> context);

  private:
    // Closes the listeners and every client (DISCONNECT 0x8B for MQTT 5), lets the loops finish their writes.
    void say_goodbye();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace culex::net
