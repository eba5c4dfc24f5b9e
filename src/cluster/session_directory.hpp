// Persistent sessions that move between nodes (docs/cluster.md, "Sessions that move"). When a persistent
// session's client goes offline, its node writes the session's record to the JetStream KV bucket
// culex_sessions (key: the client id in hex, as culex_clients): its subscriptions, its expiry, its home (the
// node that holds it offline) and the stream sequence from which the messages it misses are in
// CULEX_MESSAGES. A node where the client connects again without a session of its own reads the record,
// reads the messages its subscriptions matched since then (MessageStream::read), hands both to the
// client's loop (LoopBroker::resume_from_cluster), deletes the record and tells the home node to end its
// offline copy (a message on culex.session.drop.<NODE>). A clean start anywhere deletes the record and ends
// the copy too. All of it runs on this class's own thread, in the order the loops asked: no JetStream
// request on a loop.
#pragma once

#include <atomic>
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
#include <variant>

#include "broker/broker.hpp"
#include "broker/cluster_link.hpp"
#include "cluster/message_stream.hpp"
#include "cluster/nats_handles.hpp"

namespace culex::cluster {

// A session's record as the bucket holds it.
struct SessionRecord {
    std::string home;  // NODE:INCARNATION of the node that holds it offline
    std::string home_node;
    std::uint64_t since = 1;         // the first stream sequence it may have missed
    std::int64_t expires_at_ms = 0;  // wall clock; 0: never
    std::vector<broker::ClusterSubscription> subscriptions;
};
std::string encode_session_record(const SessionRecord& record);
std::optional<SessionRecord> decode_session_record(std::string_view text);

class SessionDirectory {
  public:
    static std::expected<std::unique_ptr<SessionDirectory>, std::string> start(
        natsConnection* connection, jsCtx* jetstream, broker::Broker& broker, MessageStream& stream,
        std::string node, std::string incarnation);
    ~SessionDirectory();
    SessionDirectory(const SessionDirectory&) = delete;
    SessionDirectory& operator=(const SessionDirectory&) = delete;

    // From the loops (broker::ClusterLink); queued for this class's thread.
    void offline(broker::ClusterSession session);
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
    using Task = std::variant<Offline, Connected, Expired>;

    SessionDirectory(natsConnection* connection, KeyValuePtr bucket, broker::Broker& broker,
                     MessageStream& stream, std::string node, std::string incarnation);
    void push(Task task);
    void run();
    void write_offline(const broker::ClusterSession& session);
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
    const std::string node_;
    const std::string home_;           // NODE:INCARNATION
    const std::size_t backlog_limit_;  // the most messages a resumed session is given
    SubscriptionPtr drops_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;  // the thread records what is left, then ends
    bool stopped_ = false;
    std::deque<Task> tasks_;
    std::thread thread_;
    std::atomic<std::uint64_t> recorded_{0};  // written by thread_ only
    std::atomic<std::uint64_t> resumed_{0};
};

}  // namespace culex::cluster
