// A culex broker as a node of a cluster on NATS (docs/cluster.md): the broker's ClusterLink. It owns the
// NATS connection, this node's claim of its name, the interest it holds on NATS for its clients'
// subscriptions, and the sync of retained messages. Messages from other nodes arrive on libnats's delivery
// thread and are handed to a loop (chosen by origin, so one publisher's messages keep their order) in batches
// through the broker's cross-loop post; nothing of a loop is touched from a libnats thread. A message goes to
// NATS only when another node announced an interest that matches it (remote_interest.hpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <expected>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/broker.hpp"
#include "broker/cluster_link.hpp"
#include "cluster/client_ownership.hpp"
#include "cluster/interest.hpp"
#include "cluster/interest_gossip.hpp"
#include "cluster/loop_inbox.hpp"
#include "cluster/message_stream.hpp"
#include "cluster/nats_connection.hpp"
#include "cluster/nats_handles.hpp"
#include "cluster/node_claim.hpp"
#include "cluster/remote_interest.hpp"
#include "cluster/retained_sync.hpp"
#include "cluster/session_directory.hpp"
#include "cluster/session_interest.hpp"
#include "cluster/session_watch.hpp"
#include "cluster/will_keeper.hpp"
#include "cluster/wire_message.hpp"
#include "config/config.hpp"

namespace culex::cluster {

class ClusterNode final : public broker::ClusterLink {
  public:
    // Connects, claims the node's name, loads the cluster's retained messages into `broker` and attaches
    // itself to it (Broker::use_cluster). Before the loops run; an error stops the start.
    static std::expected<std::unique_ptr<ClusterNode>, std::string> start(
        const config::ClusterSettings& settings, broker::Broker& broker);
    // Leaves the cluster: detaches from the broker, frees the node's name, closes the NATS connection.
    // Once the loops have stopped (they call the broker::ClusterLink methods); idempotent.
    void stop();
    ~ClusterNode() override;

    // broker::ClusterLink
    void publish(const broker::Message& message, int loop, std::string_view served_groups) override;
    void store_held(const broker::Message& message, int loop) override;
    void releasing_held(int loop) override;
    void interest_added(std::string_view filter) override;
    void interest_removed(std::string_view filter) override;
    void client_connected(const std::string& client_id, std::int64_t connected_at_ms, int loop,
                          bool clean_start, bool session_present) override;
    void session_offline(const broker::ClusterSession& session) override;
    void session_online(const broker::ClusterSession& session) override;
    void session_expired(const std::string& client_id) override;
    void client_disconnected(const std::string& client_id, std::int64_t connected_at_ms,
                             bool will_waits) override;
    void will_settled(const std::string& client_id) override;
    void client_will(const std::string& client_id, const protocol::Will& will) override;
    broker::ClusterFigures figures() override;
    void sys_figures(std::vector<broker::SysValue>& changed) override;

    // How long a starting node waits for the interest of the live nodes.
    static constexpr std::chrono::milliseconds kInterestWait{5000};
    // How long a starting node waits to have read the records of persistent sessions (it stores every QoS
    // 1/2 message until it has).
    static constexpr std::chrono::milliseconds kSessionsWait{5000};

  private:
    // What one loop publishes with: its own buffer, sequence and origin name, so that loops share nothing
    // written per message (alignas: no false sharing).
    struct alignas(64) LoopOutlet {
        std::string origin;    // NODE:INCARNATION:LOOP
        Origin stored_origin;  // the same, sequence 0, as the stored stream takes it (built once, not per
                               // message)
        std::uint64_t sequence = 0;
        std::string subject;
        std::string frame;         // the frame being sent (wire_frame.hpp)
        std::string served;        // its served queue groups
        bool failing = false;      // the last publish failed (logged once per failure run)
        bool held_stored = false;  // the next publish() is a released QoS 2 message, stored at its PUBLISH
        // Messages this loop handed to NATS: written by the loop only, read by $SYS on the first loop.
        std::atomic<std::uint64_t> sent{0};
        // This loop's copy of the other nodes' interest, and its version (RemoteInterest::version).
        std::uint64_t interest_version = 0;
        std::shared_ptr<const InterestTrie> remote_interest;
        // Likewise for what the cluster's persistent sessions could want stored (SessionInterest).
        std::uint64_t stored_interest_version = 0;
        std::shared_ptr<const InterestTrie> stored_interest;
    };

    ClusterNode(const config::ClusterSettings& settings, broker::Broker& broker);
    std::expected<void, std::string> join(const config::ClusterSettings& settings);
    std::expected<void, std::string> learn_remote_interest();
    // Whether another node wants a message on `topic`; if so, its subject is in outlet.subject (built only
    // when some node wants something).
    bool wanted_elsewhere(LoopOutlet& outlet, std::string_view topic);
    // Whether a persistent session somewhere could want a message on `topic` stored; if so, its stored
    // subject is in outlet.subject.
    bool wanted_stored(LoopOutlet& outlet, std::string_view topic);
    static void on_message(natsConnection*, natsSubscription*, natsMsg* message, void* closure);
    void receive(natsSubscription* subscription, natsMsg* message);
    // False: the loop's inbox is full, the message dropped (said once per run of drops).
    bool hand_to_loop(int loop, std::string_view subject, std::string_view group, std::string_view frame);
    static void drain(broker::Broker& broker, int loop, LoopInbox& inbox);
    // Whether this copy was seen already through another of this node's subscriptions of the same kind
    // (`queue`: "" for plain ones, else the shared group's queue group, each of which has its own copy).
    bool seen_before(std::string_view origin, std::uint64_t sequence, const std::string& queue);
    // Publishes outlet.frame on outlet.subject.
    void send(LoopOutlet& outlet);

    // Lookups by string_view, without making a std::string per message.
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
    };
    // A QoS 1/2 message's copy to CULEX_MESSAGES; the loop's fence waits for JetStream's acknowledgement.
    void store_copy(const broker::Message& message, int loop, LoopOutlet& outlet);

    broker::Broker& broker_;
    const std::string node_;
    const std::string incarnation_;   // random per run: a restarted node's sequences start again
    ReconnectRelay reconnect_relay_;  // outlives connection_
    ConnectionPtr connection_;
    JetStreamPtr jetstream_;
    std::unique_ptr<NodeClaim> claim_;
    RemoteInterest remote_interest_;
    std::unique_ptr<InterestGossip> gossip_;
    std::unique_ptr<Interest> interest_;
    std::unique_ptr<RetainedSync> retained_;
    std::unique_ptr<ClientOwnership> ownership_;
    std::unique_ptr<WillKeeper> wills_;           // this node's clients' wills, and those of dead nodes
    std::unique_ptr<MessageStream> stream_;       // QoS 1/2 messages, for sessions that move
    std::unique_ptr<SessionDirectory> sessions_;  // persistent sessions' records
    SessionInterest stored_interest_;             // what they could want stored, as session_watch_ reads it
    std::unique_ptr<SessionWatch> session_watch_;
    std::vector<LoopOutlet> outlets_;
    // On the delivery thread: the last sequence received from each origin.
    std::mutex receive_mutex_;
    bool stopped_ = false;
    bool attached_ = false;  // Broker::use_cluster(this) was called
    std::unordered_map<std::string, std::uint64_t, StringHash, std::equal_to<>> last_sequence_;
    std::string dedupe_key_;  // origin and queue group, for last_sequence_ (delivery thread)
    // One per loop; shared with the loop's drain task, so that a task still queued when the node goes
    // touches nothing freed.
    std::vector<std::shared_ptr<LoopInbox>> inboxes_;
    bool inbox_overflowing_ = false;          // under receive_mutex_: the last frame was dropped
    std::atomic<std::uint64_t> received_{0};  // messages from other nodes routed here (delivery thread)
    std::unordered_map<std::string, std::string> sys_last_;  // $SYS figures as last published (first loop)
};

}  // namespace culex::cluster
