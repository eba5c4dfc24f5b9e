// An MQTT client on Boost.Asio: a Session (the protocol, session.hpp) driven over a net::Transport
// (net/transport/connector.hpp) on the caller's io_context, one thread. It connects within a bounded time,
// reads, writes each turn's packets in one write, keeps the connection alive, reconnects when asked to, and
// reports through callbacks. Used by `culex pub` and `culex sub`, and meant for rr, doctor and bench.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "client/error.hpp"
#include "client/session.hpp"
#include "net/transport/connector.hpp"

namespace culex::client {

struct ClientOptions {
    SessionOptions session;
    net::Endpoint endpoint;
    // When set, a connection lost after a successful CONNACK is re-made after this delay, for as long as it
    // takes (as mosquitto_sub does); the session's in-flight messages resume on the new connection.
    std::optional<std::chrono::milliseconds> reconnect_delay;
};

// Every callback is optional. They run on the io_context's thread and may call back into the Client.
struct ClientCallbacks {
    std::function<void(const events::Connected&)> on_connected;
    std::function<void(const events::Refused&)> on_refused;
    std::function<void(const protocol::Publish&)> on_message;
    std::function<void(const events::Published&)> on_published;
    std::function<void(const events::Subscribed&)> on_subscribed;
    std::function<void(const events::Unsubscribed&)> on_unsubscribed;
    // The client is done, once: no error after our DISCONNECT, else why it ended (refused, lookup, connect,
    // timeout, connection lost, protocol, keepalive). Not called for losses it reconnects from.
    std::function<void(const std::optional<Error>&)> on_closed;
    // Mosquitto's -d lines; when unset they are never formatted.
    std::function<void(std::string_view)> on_debug;
};

// The text Mosquitto's clients print for an MQTT 3.1/3.1.1 CONNACK return code, e.g. "Connection Refused: not
// authorised." (MQTT 5 reason codes: reason_text.hpp).
std::string connack_text(int return_code);

class Client {
  public:
    Client(boost::asio::io_context& io, ClientOptions options, std::unique_ptr<net::Connector> connector,
           ClientCallbacks callbacks);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    void connect();
    std::expected<std::uint16_t, Error> publish(protocol::Publish message);
    std::expected<std::uint16_t, Error> subscribe(std::vector<protocol::Subscription> subscriptions,
                                                  protocol::Properties properties = {});
    std::expected<std::uint16_t, Error> unsubscribe(std::vector<std::string> filters,
                                                    protocol::Properties properties = {});
    // Sends DISCONNECT and closes once it is written; on_closed(no error) follows. Without a connection it
    // just stops (no reconnect) and reports the same way.
    void disconnect();

    const Session& session() const { return session_; }
    bool finished() const { return finished_; }

  private:
    void on_transport(std::expected<std::unique_ptr<net::Transport>, net::ConnectError> result);
    void start_read();
    void flush();
    void after_session_activity();
    void dispatch_events();
    void rearm_timer();
    void fail(Error error);
    void close_transport();
    void finish(std::optional<Error> error);

    boost::asio::io_context& io_;
    ClientOptions options_;
    std::unique_ptr<net::Connector> connector_;
    ClientCallbacks callbacks_;
    Session session_;

    std::unique_ptr<net::Transport> stream_;
    std::uint64_t generation_ = 0;  // bumped per connection, so that stale completions are recognised
    bool connecting_transport_ = false;
    bool writing_ = false;
    bool ever_connected_ = false;
    bool stopping_ = false;  // disconnect() called: no reconnect
    bool finished_ = false;
    std::string write_buffer_;
    std::array<char, 16 * 1024> read_buffer_{};
    boost::asio::steady_timer timer_;
    boost::asio::steady_timer reconnect_timer_;
};

}  // namespace culex::client
