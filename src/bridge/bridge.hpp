// One Mosquitto-style bridge (a `connection` block), living on one event loop: its local side is an
// in-process client of the broker core (LocalLink), its remote side an MQTT client over the transport stack
// (RemoteConnection). Messages cross with the packet ids they have: the local session numbers what goes out,
// the remote what comes in, so each acknowledgement is passed on as it is, and an acknowledgement reaches the
// side that sent the message only once the other side took it. While the remote is down, QoS 1/2 messages
// wait in the local session (its in-flight window and queue, bounded like any session's) and go out in order
// when the link returns; what was in flight is sent again (PUBLISH with DUP, or PUBREL).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bridge/local_link.hpp"
#include "bridge/remote_connection.hpp"
#include "bridge/restart_delay.hpp"
#include "bridge/topic_map.hpp"
#include "broker/client.hpp"
#include "broker/loop_core.hpp"
#include "config/bridge_config.hpp"
#include "net/event_loop.hpp"
#include "net/transport/connector.hpp"

namespace culex::bridge {

class Bridge final : private LocalLink::Owner, private RemoteConnection::Owner {
  public:
    Bridge(config::BridgeConfig config, net::EventLoop& loop);
    ~Bridge() override;

    // On the bridge's loop: connects the local side, then the remote one.
    void start();
    const config::BridgeConfig& config() const { return config_; }

  private:
    enum class State { stopped, connecting, awaiting_connack, up, waiting };

    // A message the local session handed over, until the remote acknowledged it (by its local packet id).
    struct Outbound {
        protocol::Publish publish;  // with the remote topic
        bool sent = false;          // to the current or an earlier remote connection
        bool released = false;      // QoS 2: PUBREL passed on; PUBCOMP awaited
    };

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
    void from_remote(protocol::Publish&& publish);
    // The remote is gone: try the next address now, or wait restart_timeout.
    void schedule_restart(bool try_next_address_now);
    void stop_remote();
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
    std::map<std::uint16_t, Outbound> outbound_;
    std::vector<std::uint16_t> outbound_order_;  // resend order
};

}  // namespace culex::bridge
