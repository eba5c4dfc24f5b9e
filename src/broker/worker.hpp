// The broker's work on one event loop: the handle_* function of each packet type for this loop's clients,
// the sessions this loop owns, routing of PUBLISHes, and the hand-over of sessions between loops.
// Every method runs on the worker's own loop.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/acl.hpp"
#include "broker/access_policy.hpp"
#include "broker/client.hpp"
#include "broker/message.hpp"
#include "broker/session.hpp"
#include "broker/session_list.hpp"
#include "protocol/codec.hpp"

namespace culex::broker {

class Broker;

class Worker {
  public:
    Worker(Broker& broker, int loop);
    ~Worker();

    // --- called by net for this loop's connections ---
    void handle_packet(const ClientPtr& client, protocol::Packet&& packet);
    // The connection sent bytes that do not decode: close it, naming the violation.
    void handle_bad_packet(const ClientPtr& client, const protocol::DecodeError& error);
    // The keepalive (or, before CONNECT, the connect timeout) ran out: the broker closes the connection.
    void handle_timeout(const ClientPtr& client);
    // The connection ended on its own (peer_closed) or net ended it (keepalive_timeout, shutting_down).
    void handle_closed(const ClientPtr& client, CloseReason reason);
    // After a reload of the access policies: disconnects clients whose user left the password file.
    void recheck_clients();
    // The server is shutting down: MQTT 5 clients hear DISCONNECT 0x8B, every connection closes (flushed).
    // Sessions and wills stay as they are.
    void shut_down();
    // Once a second: expires offline sessions.
    void tick(std::chrono::steady_clock::time_point now);

    std::size_t session_count() const { return sessions_.size(); }

  private:
    struct Delivery {
        AnchorPtr anchor;
        MessagePtr message;
        protocol::QoS qos;
        bool retain;
        SubscriptionIds ids;
        ShareKey share;  // came through this shared subscription
    };
    struct TakeoverRequest {
        ClientPtr client;  // the new connection, on `loop`
        int loop;
        bool clean_start;
    };

    // handle_connect.cpp
    void handle_connect(const ClientPtr& client, protocol::Connect&& connect);
    void refuse(const ClientPtr& client, protocol::ReasonCode reason, std::string_view why);
    void authenticate(const ClientPtr& client);
    // MQTT 5 enhanced authentication (AUTH packets), at CONNECT and when a connected client re-authenticates.
    void start_enhanced_auth(const ClientPtr& client, const Authenticator& authenticator);
    void handle_auth(const ClientPtr& client, protocol::Auth&& auth);
    void step_auth(const ClientPtr& client, std::string_view client_data);
    void finish_login(const ClientPtr& client, bool accepted);
    void accept_login(const ClientPtr& client);
    void start_session(const ClientPtr& client);
    void handle_takeover(const AnchorPtr& anchor, TakeoverRequest request);
    void adopt_session(std::unique_ptr<Session> session, const ClientPtr& client);
    void finish_connect(const ClientPtr& client, Session& session, bool session_present);
    // The Receive Maximum we announce: QoS 2 PUBLISHes a client may have unreleased (max_inflight_messages).
    std::uint16_t receive_maximum() const;
    // MQTT 5 CONNACK properties: what this broker offers and what it decided for the client.
    void describe_server(const Client& client, const protocol::Connect& connect,
                         protocol::Properties& properties) const;
    Session& create_session(const AnchorPtr& anchor);
    // Adds the session to this loop's own; the key views its anchor's id, so an entry left by another anchor
    // with the same id (never expected) is replaced whole, key included.
    Session& own(std::unique_ptr<Session> session);
    void end_session(Session& session);
    void end_connection(Client& client, CloseReason reason);

    // handle_publish.cpp
    void handle_publish(Client& client, protocol::Publish&& publish);
    void handle_pubrel(Client& client, const protocol::Pubrel& pubrel);
    // MQTT 5 Topic Alias: records or applies it; false when the client broke the rules (closed).
    bool resolve_topic_alias(Client& client, protocol::Publish& publish);
    // Whether any subscription matched (MQTT 5's "no matching subscribers" when none did).
    bool route(const MessagePtr& message, const SessionAnchor* origin);
    // Hands messages that a departing member of a shared subscription left unacknowledged to another member.
    void reroute_shared(std::vector<std::pair<MessagePtr, ShareKey>> messages, const SessionAnchor* departed);
    void publish_will(Session& session);
    void deliver(Delivery&& delivery);
    void flush_deliveries();

    // handle_subscribe.cpp
    void handle_subscribe(Client& client, protocol::Subscribe&& subscribe);
    void handle_unsubscribe(Client& client, protocol::Unsubscribe&& unsubscribe);

    // This loop's copy of the access policies (one per listener), so that checks on the hot path touch no
    // atomic shared with the other loops; refreshed when a reload replaces them.
    void refresh_policies();
    const AccessPolicy& policy(int listener) const;
    // The ACL of the client's listener allows this access.
    bool allowed(const Client& client, auth::Access access, std::string_view topic) const;
    bool allowed(const Session& session, auth::Access access, std::string_view topic) const;

    // How long a session with this Session Expiry Interval outlives its connection (nullopt: forever),
    // bounded by persistent_client_expiration.
    std::optional<std::chrono::seconds> session_expiry(std::uint32_t interval) const;

    void send(Client& client, const protocol::Packet& packet);
    void protocol_violation(Client& client, std::string_view what,
                            protocol::ReasonCode reason = protocol::ReasonCode::protocol_error);

    Broker& broker_;
    const int loop_;
    // The sessions this loop owns.
    SessionList sessions_;
    std::vector<std::vector<Delivery>> outbound_;  // per target loop, sent once per loop turn
    bool flush_scheduled_ = false;
    std::vector<SubscriptionMatch> matches_;  // reused by route()
    std::vector<PolicyPtr> policies_;
};

}  // namespace culex::broker
