// Persistent sessions that move between nodes (docs/cluster.md, "Sessions that move"). While a persistent
// session's client is connected, its node keeps the session's record in the JetStream KV bucket
// culex_sessions (key: the client id in hex, as culex_clients) marked online: its subscriptions, its expiry,
// its home (NODE:INCARNATION) and the stream sequence from which what its client may not have acknowledged
// is in CULEX_MESSAGES, moved forward by a checkpoint every second; when the client goes offline, the node
// writes it once more, offline. A node where the client connects while the record says another live node
// holds it online waits (bounded) for that node's final record; a dead holder's record is taken as it is. A
// node where the client connects again without a session of its own reads the record, reads the messages its
// subscriptions matched since then (MessageStream::read), hands both to the client's loop
// (LoopBroker::resume_from_cluster), deletes the record and tells the home node to end its offline copy (a
// message on culex.session.drop.<NODE>). A clean start anywhere deletes the record and ends the copy too. All
// of it runs on this class's own thread, in the order the loops asked: no JetStream request on a loop.
#pragma once

#include <atomic>
#include <chrono>
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
#include <variant>

#include "broker/broker.hpp"
#include "broker/cluster_link.hpp"
#include "cluster/message_stream.hpp"
#include "cluster/nats_handles.hpp"
#include "cluster/node_claim.hpp"
#include "cluster/session_record.hpp"

namespace culex::cluster {

class SessionDirectory {
  public:
    static std::expected<std::unique_ptr<SessionDirectory>, std::string> start(
        natsConnection* connection, jsCtx* jetstream, broker::Broker& broker, MessageStream& stream,
        const NodeClaim& nodes, std::string node, std::string incarnation, int replicas);
    // How often the records of connected sessions move forward, and how long a node where a client
    // connects waits for the final record of the live node that held its session.
    static constexpr std::chrono::milliseconds kCheckpoint{1000};
    static constexpr std::chrono::milliseconds kFinalRecordWait{3000};
    ~SessionDirectory();
    SessionDirectory(const SessionDirectory&) = delete;
    SessionDirectory& operator=(const SessionDirectory&) = delete;

    // From the loops (broker::ClusterLink); queued for this class's thread.
    void offline(broker::ClusterSession session);
    void online(broker::ClusterSession session);
    void connected(std::string client_id, int loop, bool clean_start, bool session_present);
    void expired(std::string client_id);
    std::uint64_t recorded() const { return recorded_.load(std::memory_order_relaxed); }
    std::uint64_t resumed() const { return resumed_.load(std::memory_order_relaxed); }
    // Stops the thread and the drop subscription (before what they use goes).
    void stop();

  private:
    struct Offline {
        broker::ClusterSession session;
    };
    struct Connected {
        std::string client_id;
        int loop;
        bool clean_start;
        bool session_present;
    };
    struct Expired {
        std::string client_id;
    };
    struct Online {
        broker::ClusterSession session;
    };
    // The loops' connected sessions with nothing unacknowledged, and the stream's last sequence read a
    // checkpoint before they were found so: their records may move on past it.
    struct Settled {
        std::vector<std::string> client_ids;
        std::uint64_t upto;
    };
    using Task = std::variant<Offline, Connected, Expired, Online, Settled>;
    // A session whose record this node writes while its client is connected here (thread_ only).
    struct Held {
        std::uint64_t revision = 0;  // of this node's last write (0: none yet)
        std::uint64_t since = 0;     // 0: not known yet (the stream's end at the first write)
        SessionRecord record;        // as last written
    };

    SessionDirectory(natsConnection* connection, KeyValuePtr bucket, broker::Broker& broker,
                     MessageStream& stream, const NodeClaim& nodes, std::string node,
                     std::string incarnation);
    void push(Task task);
    void run();
    void write_offline(const broker::ClusterSession& session);
    void write_online(const broker::ClusterSession& session);
    void move_forward(const Settled& settled);
    // Writes `held`'s record: at its revision when it has one (a conflict: another node took the session).
    bool write_held(const std::string& client_id, Held& held);
    void checkpoint();
    // The record of a session another live node holds online, once that node wrote its final one.
    std::optional<SessionRecord> final_record(const std::string& key, SessionRecord record);
    void drop_here(const std::string& client_id);
    void on_connected(const Connected& connected);
    void resume(const Connected& connected, const SessionRecord& record);
    std::optional<SessionRecord> read_record(const std::string& key);
    void forget(const std::string& key, const std::optional<SessionRecord>& record,
                const std::string& client_id);
    static void on_drop(natsConnection*, natsSubscription*, natsMsg* message, void* closure);

    natsConnection* connection_;
    KeyValuePtr bucket_;
    broker::Broker& broker_;
    MessageStream& stream_;
    const NodeClaim& nodes_;
    const std::string node_;
    const std::string home_;           // NODE:INCARNATION
    const std::size_t backlog_limit_;  // the most messages a resumed session is given
    SubscriptionPtr drops_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;  // the thread records what is left, then ends
    bool stopped_ = false;
    std::deque<Task> tasks_;
    std::unordered_map<std::string, Held> held_;    // by client id (thread_ only)
    std::optional<std::uint64_t> last_checkpoint_;  // the stream's last sequence at the previous checkpoint
    std::thread thread_;
    std::atomic<std::uint64_t> recorded_{0};  // written by thread_ only
    std::atomic<std::uint64_t> resumed_{0};
};

}  // namespace culex::cluster
