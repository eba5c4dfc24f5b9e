// The HTTP listeners (`protocol http`): GET requests answered by a handler that net does not know (cli gives
// ops' /metrics). They run on a thread of their own, apart from the event loops, so that what an HTTP client
// does (slow reads, a flood of bad credentials, whose checks cost a password hash each) never delays MQTT.
// Everything a client sends is bounded: the request head (8 KiB), no body, requests per connection, the time
// a request may take (10 s, reading and answering it), and connections at once.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/http_types.hpp"
#include "tls/server_context.hpp"

namespace culex::net {

struct HttpLimits {
    std::size_t max_head_bytes = 8 * 1024;
    unsigned max_requests_per_connection = 100;
    std::chrono::milliseconds request_timeout{10'000};
    std::size_t max_connections = 64;
};

class HttpServer {
  public:
    explicit HttpServer(HttpHandler handler, HttpLimits limits = {});
    ~HttpServer();

    // Binds (logs "Opening http listen socket on port N."); `tls` non-null: HTTPS.
    std::expected<void, std::string> open(const boost::asio::ip::tcp::endpoint& endpoint, int listener,
                                          tls::ServerContextPtr tls);
    // Starts accepting, on the server's own thread.
    void start();
    // SIGHUP, from any thread: listener `listener`'s new TLS context; new connections use it, open ones keep
    // theirs (as MQTT listeners do).
    void replace_tls(int listener, tls::ServerContextPtr tls);
    // The port listener `listener` is bound to (its first address's); 0 when it is not an HTTP listener.
    // After the opens, from any thread.
    std::uint16_t bound_port(int listener) const;
    // Closes the listeners and every connection, and joins the thread.
    void stop();

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

// The text of a response as it goes on the wire (HTTP/1.1); `keep_alive` false adds Connection: close.
std::string render_http_response(const HttpResponse& response, bool keep_alive);

}  // namespace culex::net
