// A client id is connected at most once in the cluster: the JetStream KV bucket culex_clients maps each
// client id to the node whose connection holds it (value "NODE:INCARNATION"). A node that accepts a
// connection claims its id by a compare-and-set on the key's revision (retried on a conflict: the last
// connection wins, as MQTT's takeover wants), off the loops, on this class's own thread. Every node
// watches the bucket; a node that sees its client's id claimed by another node at a later revision closes
// that client as taken over (MQTT 5: DISCONNECT 0x8E), on the loop that owns it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "cluster/kv_watch.hpp"
#include "cluster/nats_handles.hpp"

namespace culex::cluster {

class ClientOwnership {
  public:
    // Closes the local connection of `client_id` if it connected at or before `connected_at_ms` (a later one
    // is a reconnection here that claims the id again). Called on the watcher's thread.
    using TakeOver = std::function<void(const std::string& client_id, std::int64_t connected_at_ms)>;

    // Keys lapse a day after their last claim: a connection that stays longer is still taken over by a new
    // claim (what matters is the claim, not the key).
    static constexpr std::int64_t kKeyTtlMs = 24LL * 3600 * 1000;

    // Claims are skipped while `connection` is away from NATS (a connection made then is not taken over
    // elsewhere: logged).
    static std::expected<std::unique_ptr<ClientOwnership>, std::string> start(natsConnection* connection,
                                                                              jsCtx* jetstream,
                                                                              std::string owner,
                                                                              TakeOver take_over);
    ~ClientOwnership();
    ClientOwnership(const ClientOwnership&) = delete;
    ClientOwnership& operator=(const ClientOwnership&) = delete;

    // A client connected here (on a loop): its id is claimed for this node, soon, on the claimer thread.
    void claim(const std::string& client_id, std::int64_t connected_at_ms);
    // The client's connection here ended: no claim of its id elsewhere concerns this node any more.
    void release(const std::string& client_id, std::int64_t connected_at_ms);
    // Stops both threads (before what take_over uses goes).
    void stop();
    // The NODE:INCARNATION whose connection claimed `client_id` last (the key outlives the connection), or
    // nullopt when none did or JetStream did not answer. Any thread; a JetStream request: not on a loop.
    std::optional<std::string> holder_of(const std::string& client_id);

    // The bucket key of a client id: KV keys allow only [-/_=.a-zA-Z0-9], so the id is written in hex.
    static std::string key_of(std::string_view client_id);
    static std::string client_id_of(std::string_view key);

  private:
    struct Claimed {
        std::uint64_t revision = 0;  // 0: not written yet
        std::int64_t connected_at_ms = 0;
        std::uint64_t superseded = 0;  // a later claim by another node, seen before our revision was known
    };

    ClientOwnership(natsConnection* connection, KeyValuePtr bucket, std::string owner, TakeOver take_over);
    bool stopping();
    void claim_until_stopped();
    void write_claim(const std::string& client_id, std::int64_t connected_at_ms);
    void seen(kvEntry* entry);

    natsConnection* connection_;
    KeyValuePtr bucket_;
    const std::string owner_;
    bool skipping_ = false;  // claims are being skipped, NATS away (logged once per outage); claimer thread
    TakeOver take_over_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::deque<std::pair<std::string, std::int64_t>> to_claim_;
    std::unordered_map<std::string, Claimed> claimed_;  // this node's clients, by id
    std::thread claimer_;
    std::unique_ptr<KvWatch> watch_;  // of the bucket: other nodes' claims
};

}  // namespace culex::cluster
