// Wills of a node's connected clients in JetStream (docs/cluster.md, "Wills of a dead node's clients"): a
// client that connects with a will has it written to the KV bucket culex_wills, key `w.NODE.CLIENT` (both in
// hex, as client_ownership writes ids), value: its node's NODE:INCARNATION, the Will Delay Interval and the
// will as an MQTT 5 PUBLISH; the key goes when the connection ends (its node then publishes or drops the
// will itself). When a node's claim lapses (it died: node_claim's renewal no longer lists it), every
// surviving node that saw it live races to create `d.NODE` in the memory bucket culex_will_claims (a create
// fails on a key that exists): exactly one wins, publishes the dead node's wills through a loop of its own
// (locally and to the other nodes, stored in the stream like any QoS 1/2 message), and deletes them; a will
// with a Will Delay Interval longer than the lapse waits out the rest on the winner, and a will whose client
// connected again meanwhile (on any node: culex_clients names a newer holder) is not published at all. All
// JetStream requests run on this class's own thread, never on a loop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <expected>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "broker/broker.hpp"
#include "cluster/client_ownership.hpp"
#include "cluster/nats_handles.hpp"
#include "cluster/node_claim.hpp"
#include "cluster/session_sweep.hpp"
#include "protocol/packets.hpp"

namespace culex::cluster {

// A will as culex_wills keeps it, and back.
struct KeptWill {
    std::string home;  // NODE:INCARNATION of the node its client was connected to
    std::uint32_t delay_seconds = 0;
    protocol::Publish message;
};
std::string encode_kept_will(const std::string& home, const protocol::Will& will);
std::optional<KeptWill> decode_kept_will(std::string_view value);

// The nodes whose clients' wills are in culex_wills (`keys`: the bucket's keys, w.NODE.CLIENT) but which hold
// no claim (`live`: the other live nodes; `self`: this node), sorted, each once: nodes killed before any
// survivor saw them live, whose wills nobody would publish otherwise.
std::vector<std::string> orphaned_will_nodes(const std::vector<std::string>& keys,
                                             const std::set<std::string>& live, std::string_view self);

class WillKeeper {
  public:
    // How long the winner of a dead node's wills keeps its claim to them (a winner that dies meanwhile
    // leaves them to the survivors that notice a later lapse... or to nobody: docs/cluster.md).
    static constexpr std::int64_t kClaimTtlMs = 60'000;

    // `ownership` (which outlives this) tells whether a dead node's client connected again since, `nodes`
    // (likewise) whether a will's node is live after all.
    static std::expected<std::unique_ptr<WillKeeper>, std::string> start(
        jsCtx* jetstream, broker::Broker& broker, ClientOwnership& ownership, const NodeClaim& nodes,
        std::string node, std::string incarnation, int replicas);
    ~WillKeeper();
    WillKeeper(const WillKeeper&) = delete;
    WillKeeper& operator=(const WillKeeper&) = delete;

    // From the loops: a client connected here with `will` (kept), or its connection ended (forgotten).
    void keep(const std::string& client_id, const protocol::Will& will);
    void forget(const std::string& client_id);
    // Its connection ended and its will waits out its delay here: kept until forget() (said in the log).
    void waiting(const std::string& client_id);
    // From node_claim's renewal thread: the other live nodes now.
    void live_nodes(const std::vector<std::string>& live);
    // Deletes the wills it kept (a clean stop: nobody is to publish them) and ends the thread.
    void stop();

  private:
    struct Keep {
        std::string client_id;
        std::string value;
    };
    struct Forget {
        std::string client_id;
    };
    struct Waiting {
        std::string client_id;
    };
    struct Live {
        std::vector<std::string> nodes;
    };
    using Task = std::variant<Keep, Forget, Waiting, Live>;

    // A dead node's will waiting out the rest of its delay here.
    struct DueWill {
        std::string key;  // in culex_wills
        std::string client_id;
        std::string dead;  // its node
        KeptWill kept;
    };

    WillKeeper(KeyValuePtr wills, KeyValuePtr claims, std::unique_ptr<SessionSweep> sweep,
               broker::Broker& broker, ClientOwnership& ownership, const NodeClaim& nodes, std::string node,
               std::string incarnation);
    // The records of dead nodes' sessions, at a node's death and once a kSweepEveryMs in the cluster.
    void sweep_sessions(const std::set<std::string>& live);
    void push(Task task);
    void run();
    void on_live(const std::vector<std::string>& live);
    void publish_wills_of(const std::string& dead);
    // Once a kSweepEveryMs in the cluster: the wills of nodes that died unseen (orphaned_will_nodes).
    void adopt_orphaned_wills(const std::set<std::string>& live);
    // Whether this node won the race to publish `dead`'s wills.
    bool claim_wills_of(const std::string& dead);
    // Publishes a dead node's will now, unless its client connected again since; deletes it either way.
    void publish_will(DueWill& will);
    void publish_due();
    std::string key_of(const std::string& client_id) const;

    KeyValuePtr wills_;
    KeyValuePtr claims_;
    std::unique_ptr<SessionSweep> sweep_;
    std::chrono::steady_clock::time_point next_sweep_;  // this node's next try to be the one that sweeps
    broker::Broker& broker_;
    ClientOwnership& ownership_;
    const NodeClaim& nodes_;
    const std::string node_;
    const std::string home_;  // NODE:INCARNATION
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::deque<Task> tasks_;
    std::set<std::string> kept_;  // client ids whose will is in the bucket (thread_ only)
    std::multimap<std::chrono::steady_clock::time_point, DueWill> due_;  // by when (thread_ only)
    std::optional<std::set<std::string>>
        seen_live_;  // the other live nodes at the last renewal (thread_ only)
    std::thread thread_;
};

}  // namespace culex::cluster
