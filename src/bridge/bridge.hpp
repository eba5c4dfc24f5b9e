// One Mosquitto-style bridge (a `connection` block), living on one event loop: its local side is an
// in-process client of the broker core (LocalLink), its remote side an MQTT client over the transport stack
// (RemoteConnection). Messages cross with the packet ids they have: the local session numbers what goes out,
// the remote what comes in, so each acknowledgement is passed on as it is, and an acknowledgement reaches the
// side that sent the message only once the other side took it. While the remote is down, QoS 1/2 messages
// wait in the local session (its in-flight window and queue, bounded like any session's) and go out in order
// when the link returns; what was in flight is sent again (PUBLISH with DUP, or PUBREL).
#pragma once

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bridge/bridge_status.hpp"
#include "bridge/local_link.hpp"
#include "bridge/remote_connection.hpp"
#include "bridge/restart_delay.hpp"
#include "bridge/topic_map.hpp"
#include "broker/client.hpp"
#include "broker/loop_core.hpp"
#include "config/bridge_config.hpp"
#include "net/event_loop.hpp"
#include "net/transport/connector.hpp"
#include "tls/client_context.hpp"

namespace culex::bridge {

class Bridge final : private LocalLink::Owner, private RemoteConnection::Owner {
  public:
    // `tls`: the context of its TLS (bridge_tls.hpp), null for plain TCP.
    // `sys_interval`: how often its figures go to $SYS/broker/connection/REMOTE_CLIENTID/bridge/... (0:
    // never).
    Bridge(config::BridgeConfig config, net::EventLoop& loop, tls::ClientContextPtr tls = {},
           std::chrono::seconds sys_interval = {});
    ~Bridge() override;

    // On the bridge's loop: connects the local side, then the remote one (a lazy bridge: once threshold
    // messages wait for it).
    void start();
    // On the bridge's loop, when SIGHUP removed or changed it: says goodbye to the remote (DISCONNECT, state
    // 0) and leaves the local broker. `successor`: the changed configuration that replaces it; its local
    // session is kept for it when it has the same local client id (the filters it no longer forwards are
    // unsubscribed); otherwise (removed) the session ends.
    void retire(const config::BridgeConfig* successor);
    const config::BridgeConfig& config() const { return config_; }
    // From any thread: where the bridge is and what it carried (bridge_status.hpp).
    BridgeStatus status() const;

  private:
    // idle: a lazy bridge waiting for threshold messages before it connects.
    enum class State { stopped, connecting, awaiting_connack, up, waiting, idle };

    // A message the local session handed over, until the remote acknowledged it (by its local packet id).
    struct Outbound {
        protocol::Publish publish;  // with the remote topic
        bool sent = false;          // to the current or an earlier remote connection
        bool released = false;      // QoS 2: PUBREL passed on; PUBCOMP awaited
        bool on_link = false;       // sent on the current connection: counts against Receive Maximum
        // MQTT 5 Message Expiry: when it expires (unset: never), so that it goes with what is left.
        std::optional<std::chrono::steady_clock::time_point> expires_at;
    };
    using Clock = std::chrono::steady_clock;

    // LocalLink::Owner
    void on_local_packet(const protocol::Packet& packet) override;
    bool on_local_delivery(const protocol::Publish& message, const protocol::DeliveryFields& fields) override;
    std::size_t remote_unsent_bytes() const override;
    void on_local_closed() override;

    // RemoteConnection::Owner
    void on_remote_packet(protocol::Packet&& packet) override;
    void on_remote_lost(std::string why) override;

    void connect_local();
    void subscribe_local();
    void publish_local_state(bool up);
    void connect_remote();
    void on_transport(std::expected<std::unique_ptr<net::Transport>, net::ConnectError> result);
    protocol::Connect remote_connect() const;
    void on_connack(const protocol::Connack& connack);
    void subscribe_remote();
    void resend_outbound();
    // Sends what waits, in order, while the remote's Receive Maximum allows.
    void send_pending();
    // The remote acknowledged it (or refused it): out of outbound_. False: it was not there.
    bool forget_outbound(std::uint16_t id);
    // A QoS 1/2 message the bridge does not forward: acknowledged to the local session.
    void acknowledge_locally(const protocol::DeliveryFields& fields);
    // bridge_max_packet_size and an MQTT 5 remote's Maximum Packet Size, the smaller; 0: none.
    std::uint32_t max_packet_size() const;
    // A message that expired before it could be sent: out, and acknowledged to the local session.
    void drop_expired(std::uint16_t id);
    void from_remote(protocol::Publish&& publish);
    // The remote is gone: try the next address now, or wait restart_timeout.
    void schedule_restart(bool try_next_address_now);
    void stop_remote();
    // bridge_watch.cpp: once a second, the queue depth for status(), and start_type lazy's threshold and
    // idle_timeout.
    void arm_watch();
    void on_watch_tick();
    std::size_t queue_depth() const;
    bool lazy_below_threshold() const;
    // start_type lazy: connect now if threshold messages wait.
    void check_threshold();
    void go_idle();
    // Says goodbye on the remote: state 0 (notifications) and DISCONNECT.
    void say_goodbye();
    void set_state(State state);
    // Its figures under $SYS, retained, those that changed since the last time.
    void publish_sys_figures();
    // One more message carried (single writer: the bridge's loop; read from any thread).
    static void count(std::atomic<std::uint64_t>& counter) {
        counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    std::uint16_t free_remote_id() const;
    const config::BridgeAddress& address() const { return config_.addresses[address_index_]; }
    protocol::ProtocolVersion remote_version() const;

    config::BridgeConfig config_;
    net::EventLoop& loop_;
    LocalLink link_;
    std::vector<TopicRoute> routes_;  // config_.topics with their filters made once
    broker::ClientPtr client_;        // the local side as the broker core sees it
    bool local_up_ = false;
    std::unique_ptr<net::Connector> connector_;
    std::shared_ptr<RemoteConnection> remote_;
    boost::asio::steady_timer restart_timer_;
    RestartDelay restart_delay_;
    State state_ = State::stopped;
    std::size_t address_index_ = 0;
    std::size_t addresses_tried_ = 0;  // in this round of attempts
    bool private_refused_ = false;     // the remote refused the bridge bit: connect without it
    std::uint16_t remote_receive_maximum_ = 65535;
    std::uint32_t remote_max_packet_size_ = 0;
    std::size_t on_link_ = 0;   // outbound_ entries sent on this connection and not yet acknowledged
    std::string size_scratch_;  // for prepare_outgoing
    boost::asio::steady_timer watch_timer_;
    bool watching_ = false;  // from start() until the bridge stops
    std::chrono::seconds sys_interval_;
    std::uint32_t seconds_to_sys_ = 0;
    std::map<std::string, std::string> sys_published_;  // topic -> the text last published
    std::uint64_t carried_at_last_tick_ = 0;
    std::uint32_t idle_seconds_ = 0;
    bool ever_connected_ = false;
    std::atomic<std::uint64_t> forwarded_out_{0};
    std::atomic<std::uint64_t> forwarded_in_{0};
    std::atomic<std::uint64_t> reconnects_{0};
    std::atomic<std::uint64_t> queued_{0};  // refreshed each watch tick
    std::atomic<BridgeState> public_state_{BridgeState::disconnected};
    std::atomic<std::size_t> public_address_{0};
    std::map<std::uint16_t, Outbound> outbound_;
    std::vector<std::uint16_t> outbound_order_;  // resend order
    std::set<std::uint16_t> unrouted_;           // QoS 2 acknowledged locally, not forwarded: PUBREL awaited
};

}  // namespace culex::bridge
