// The MQTT client protocol without I/O: feed it the bytes that arrive and the time, take from it the bytes to
// send, the events that happened and the next time it wants to be woken. It owns everything a client session
// is: CONNECT/CONNACK, QoS 0/1/2 flows both ways, packet identifiers, the in-flight window, keepalive pings,
// resending after a reconnect, a clean DISCONNECT. The Asio driver (client.hpp) only moves bytes and time.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <expected>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "client/error.hpp"
#include "protocol/packets.hpp"

namespace culex::client {

using Clock = std::chrono::steady_clock;

inline constexpr std::chrono::milliseconds kDefaultConnectTimeout{15'000};

struct SessionOptions {
    protocol::ProtocolVersion version = protocol::ProtocolVersion::v311;
    std::string client_id;
    bool clean_session = true;
    std::uint16_t keep_alive = 60;  // seconds; 0 turns pings off
    std::optional<std::string> username;
    std::optional<std::string> password;
    std::optional<protocol::Will> will;
    protocol::Properties connect_properties;     // MQTT 5 only
    protocol::Properties disconnect_properties;  // MQTT 5 only: sent with our DISCONNECT
    std::uint16_t max_inflight = 20;             // outgoing QoS 1/2 messages awaiting their acknowledgement
    std::chrono::milliseconds connect_timeout = kDefaultConnectTimeout;  // CONNECT sent -> CONNACK
};

// What happened, in the order it happened. `mid` is the message id of Mosquitto's clients: the packet
// identifier for QoS 1/2, and a number from the same counter for QoS 0 (it is only used locally).
namespace events {
struct Connected {
    bool session_present = false;
    protocol::Properties properties;  // the CONNACK's (MQTT 5)
};
struct Refused {
    protocol::ReasonCode reason = protocol::ReasonCode::unspecified_error;
    int code = 0;  // the CONNACK return code (3.1/3.1.1) or reason code (5) as on the wire
};
struct Message {
    protocol::Publish publish;
};
struct Published {  // our message is done: QoS 0 handed to the connection, QoS 1 PUBACK, QoS 2 PUBCOMP
    std::uint16_t mid = 0;
    protocol::ReasonCode reason = protocol::ReasonCode::success;
};
struct Subscribed {
    std::uint16_t mid = 0;
    std::vector<protocol::ReasonCode> granted;
};
struct Unsubscribed {
    std::uint16_t mid = 0;
};
}  // namespace events

using Event = std::variant<events::Connected, events::Refused, events::Message, events::Published,
                           events::Subscribed, events::Unsubscribed>;

enum class SessionState { offline, connecting, connected, disconnecting };

class Session {
  public:
    explicit Session(SessionOptions options);

    // Mosquitto's -d lines ("Client ID sending CONNECT"); formatted only when a sink is set.
    void set_debug_sink(std::function<void(std::string_view)> sink) { debug_ = std::move(sink); }

    // A new transport connection is up: queues CONNECT.
    void connection_opened(Clock::time_point now);
    // The transport is gone: what is in flight stays, to be resent after the next CONNACK that keeps the
    // session (or sent afresh when the broker starts a new one).
    void connection_closed();

    // Bytes from the broker. An error means the connection must be closed (malformed packet, protocol
    // violation); the message names the cause.
    std::expected<void, Error> receive(std::string_view bytes, Clock::time_point now);
    // Call at deadline(): sends PINGREQ when due, fails when the broker is silent past the keepalive or the
    // CONNACK does not come within the connect timeout.
    std::expected<void, Error> on_timer(Clock::time_point now);
    std::optional<Clock::time_point> deadline() const;

    // Queues a message; QoS 1/2 beyond the in-flight window wait their turn. Works offline too: the
    // message goes out once connected. Returns the message id.
    std::expected<std::uint16_t, Error> publish(protocol::Publish message,
                                                Clock::time_point now = Clock::now());
    // SUBSCRIBE and UNSUBSCRIBE need a connection (call them when Connected arrives, as Mosquitto's clients
    // do): a broker that keeps no session would forget them anyway.
    std::expected<std::uint16_t, Error> subscribe(std::vector<protocol::Subscription> subscriptions,
                                                  protocol::Properties properties = {},
                                                  Clock::time_point now = Clock::now());
    std::expected<std::uint16_t, Error> unsubscribe(std::vector<std::string> filters,
                                                    protocol::Properties properties = {},
                                                    Clock::time_point now = Clock::now());
    // Queues DISCONNECT; the driver closes the connection once the output is written.
    void disconnect(Clock::time_point now = Clock::now());

    std::string take_output();
    bool has_output() const { return !output_.empty(); }
    std::vector<Event> take_events();

    SessionState state() const { return state_; }
    const SessionOptions& options() const { return options_; }
    // Outgoing QoS 1/2 messages not yet acknowledged, queued ones included.
    std::size_t unacknowledged() const { return outgoing_.size(); }
    // The in-flight window in use: -M, lowered to the broker's Receive Maximum (MQTT 5).
    std::size_t window() const;

  private:
    enum class OutStage { queued, await_puback, await_pubrec, await_pubcomp };
    struct Outgoing {
        protocol::Publish publish;
        OutStage stage = OutStage::queued;
        std::uint64_t sequence = 0;  // send order, for resending in order after a reconnect
    };

    void send(const protocol::Packet& packet, Clock::time_point now);
    std::expected<void, Error> handle(protocol::Packet packet, Clock::time_point now);
    std::expected<void, Error> handle_connack(const protocol::Connack& connack, Clock::time_point now);
    std::expected<void, Error> handle_publish(protocol::Publish publish, Clock::time_point now);
    std::expected<void, Error> handle_ack(protocol::PacketType type, std::uint16_t id,
                                          protocol::ReasonCode reason, Clock::time_point now);
    void fill_window(Clock::time_point now);
    void resume_after_connack(bool session_present, Clock::time_point now);
    std::optional<std::uint16_t> allocate_id();
    bool id_in_use(std::uint16_t id) const;
    std::size_t in_flight() const;

    SessionOptions options_;
    SessionState state_ = SessionState::offline;
    std::function<void(std::string_view)> debug_;

    std::string input_;
    std::string output_;
    std::vector<Event> events_;

    Clock::time_point connect_sent_{};
    Clock::time_point last_sent_{};
    std::optional<Clock::time_point> ping_sent_;

    std::uint16_t last_id_ = 0;
    std::uint64_t next_sequence_ = 0;
    std::map<std::uint16_t, Outgoing> outgoing_;                // QoS 1/2 by packet id
    std::deque<std::uint16_t> queue_;                           // ids waiting for a window slot, in order
    std::deque<protocol::Publish> offline_qos0_;                // QoS 0 published before the CONNACK
    std::map<std::uint16_t, protocol::Publish> incoming_qos2_;  // received, PUBREC sent, awaiting PUBREL
    std::set<std::uint16_t> pending_subscribes_;                // SUBSCRIBE sent, awaiting SUBACK
    std::set<std::uint16_t> pending_unsubscribes_;              // UNSUBSCRIBE sent, awaiting UNSUBACK

    // What the broker's CONNACK allows (MQTT 5); reset per connection.
    std::uint16_t server_receive_maximum_ = 65535;
    std::optional<std::uint32_t> server_maximum_packet_size_;
    std::uint8_t server_maximum_qos_ = 2;
    // Topic aliases the broker set on this connection (MQTT 5), index = alias.
    std::map<std::uint16_t, std::string> incoming_aliases_;
};

}  // namespace culex::client
