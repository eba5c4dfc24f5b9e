// The part of the broker that one event loop runs, as net sees it a LoopCore: the handle_* function of each
// packet type for this loop's clients, the sessions this loop owns, the hand-over of sessions between loops,
// wills and expiry. Routing is its Router's (router.hpp), access checks its LoopPolicies'
// (loop_policies.hpp), a session's QoS state the Session's (session.hpp). Every method runs on its own loop.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/acl.hpp"
#include "broker/access_policy.hpp"
#include "broker/client.hpp"
#include "broker/cluster_link.hpp"
#include "broker/inspection.hpp"
#include "broker/loop_core.hpp"
#include "broker/loop_policies.hpp"
#include "broker/message.hpp"
#include "broker/router.hpp"
#include "broker/session.hpp"
#include "broker/session_list.hpp"
#include "broker/store_step.hpp"
#include "broker/sys_tree.hpp"
#include "protocol/codec.hpp"

namespace culex::broker {

class Broker;

class LoopBroker final : public LoopCore {
  public:
    LoopBroker(Broker& broker, int loop);
    ~LoopBroker() override;

    // LoopCore
    void handle_packet(const ClientPtr& client, protocol::Packet&& packet) override;
    void handle_bad_packet(const ClientPtr& client, const protocol::DecodeError& error) override;
    void handle_timeout(const ClientPtr& client) override;
    void handle_closed(const ClientPtr& client) override;
    void end_step() override;
    void tick(std::chrono::steady_clock::time_point now) override;
    void shut_down() override;

    // After a reload of the access policies: disconnects clients whose user left the password file.
    void recheck_clients();

    // loop_inspection.cpp: the admin API (ops). Copies of this loop's sessions; disconnecting one (false:
    // not online here); clearing a retained message.
    std::vector<SessionSnapshot> inspect(const InspectionQuery& query);
    bool disconnect_by_admin(const std::string& client_id, std::string_view requested_by);
    void clear_retained(std::string topic);

    // log_publisher.cpp, on the first loop: the log lines queued for `log_dest topic`, published.
    void publish_log_lines();

    // Cluster mode (session_handover.cpp): another node accepted a connection with `client_id`; the one
    // here goes, as taken over, if it connected at or before `connected_at_ms` (a later one claimed the id
    // again). False when none was connected here.
    bool take_over_for_cluster(const std::string& client_id, std::int64_t connected_at_ms);
    // Cluster mode (session_handover.cpp): the session of `client_id`, connected here, resumes what the
    // cluster kept of it (its subscriptions, the messages it missed), wherever it is now.
    void resume_from_cluster(const std::string& client_id, ClusterBacklog backlog);
    // Cluster mode: the client of this offline session resumed it on another node (or started clean
    // there): it ends here, without its will, and its subscriptions leave this node.
    void drop_for_cluster(const std::string& client_id);
    // Cluster mode (session_handover.cpp): the client ids of this loop's connected persistent sessions that
    // have nothing in flight or queued, for the cluster's checkpoint of what they acknowledged.
    std::vector<std::string> settled_cluster_sessions();

    Router& router() { return router_; }
    StoreStep& store_step() { return store_step_; }
    // At restart, before the loops run: an offline session of this loop, to be filled from the store.
    Session& restore_session(const AnchorPtr& anchor);

  private:
    // Cluster mode (session_end.cpp): a persistent session connected here, as it is now, to the cluster.
    void tell_cluster_online(const Session& session);
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
    void finish_connect(const ClientPtr& client, Session& session, bool session_present);
    // The Receive Maximum we announce: QoS 2 PUBLISHes a client may have unreleased (max_inflight_messages).
    std::uint16_t receive_maximum() const;
    // MQTT 5 CONNACK properties: what this broker offers and what it decided for the client.
    void describe_server(const Client& client, const protocol::Connect& connect,
                         protocol::Properties& properties) const;

    // session_handover.cpp
    void start_session(const ClientPtr& client);
    void handle_takeover(const AnchorPtr& anchor, TakeoverRequest request);
    void adopt_session(std::unique_ptr<Session> session, const ClientPtr& client);
    Session& create_session(const AnchorPtr& anchor);
    // The session of `client_id` if this loop owns it, else null.
    Session* anchor_session(const std::string& client_id);
    // Adds the session to this loop's own; the key views its anchor's id, so an entry left by another anchor
    // with the same id (never expected) is replaced whole, key included.
    Session& own(std::unique_ptr<Session> session);

    // session_end.cpp
    void end_connection(Client& client, CloseReason reason);
    void end_session(Session& session);
    void publish_will(Session& session);
    // A will waiting out its delay is published or cancelled now: the cluster, which kept it in case this
    // node died first, forgets it (ClusterLink::will_settled). Nothing when no will waits.
    void settle_waiting_will(Session& session);
    // How long a session with this Session Expiry Interval outlives its connection (nullopt: forever),
    // bounded by persistent_client_expiration.
    std::optional<std::chrono::seconds> session_expiry(std::uint32_t interval) const;

    // handle_publish.cpp
    void handle_publish(const ClientPtr& client, protocol::Publish&& publish);
    void handle_pubrel(const ClientPtr& client, const protocol::Pubrel& pubrel);
    // MQTT 5 Topic Alias: records or applies it; false when the client broke the rules (closed).
    bool resolve_topic_alias(Client& client, protocol::Publish& publish);

    // handle_subscribe.cpp
    void handle_subscribe(const ClientPtr& client, protocol::Subscribe&& subscribe);
    void handle_unsubscribe(const ClientPtr& client, protocol::Unsubscribe&& unsubscribe);

    // loop_store.cpp: what the store is told, and acknowledgements that wait for it
    // Sends `ack` now without a store, else once what this step stored is committed.
    void acknowledge(const ClientPtr& client, protocol::Packet ack);
    // Runs `then` on this loop now without a store, else after this step's commit; only while the client is
    // still connected (a failed commit closes it instead: what it was told would be a lie).
    void when_stored(const ClientPtr& client, std::move_only_function<void(Client&)> then);
    // A commit that `client`'s acknowledgement waited for failed: it is closed, never told.
    void refuse_unstored(Client& client);
    // A PlainAck's commit is over: sent if committed and the client is still there, else as refuse_unstored.
    void send_stored_ack(PlainAck& ack, bool committed);
    // A held QoS 2 PUBLISH's record is committed: sent by the loop that owns its session now.
    void release_held(const AnchorPtr& anchor, std::uint16_t packet_id);
    // A page of a session's stored queue has been read: to the session, on the loop that owns it now.
    void take_page(const AnchorPtr& anchor, StoreStep::PageRead page);
    void record_connected(const Client& client, Session& session);
    void record_offline(Session& session);
    void record_ended(Session& session);
    void record_will_gone(Session& session);

    // handle_publish.cpp: false when the heap is over memory_limit and `publish` is refused (its client is
    // disconnected); samples the heap every MemoryGuard::sample_every() bytes taken in.
    bool memory_allows(Client& client, const protocol::Publish& publish);
    // check_retain_source: the ACL still lets the retained message's publisher publish on its topic.
    bool source_still_allowed(const Message& retained) const;

    // sys_publisher.cpp: on the first loop, every sys_interval: $SYS/broker/... as retained messages.
    void publish_sys(std::chrono::steady_clock::time_point now);

    // loop_broker.cpp
    void protocol_violation(Client& client, std::string_view what,
                            protocol::ReasonCode reason = protocol::ReasonCode::protocol_error);

    Broker& broker_;
    const int loop_;
    // The sessions this loop owns.
    SessionList sessions_;
    LoopPolicies policies_;
    StoreStep store_step_;  // before router_, which stores retained messages through it
    Router router_;
    std::size_t taken_since_sample_ = 0;  // PUBLISH bytes taken in since this loop last sampled the heap
    // The first loop, with sys_interval set: what $SYS said last, and when it is next due.
    std::unique_ptr<SysTree> sys_tree_;
    std::chrono::steady_clock::time_point sys_last_;
};

}  // namespace culex::broker
