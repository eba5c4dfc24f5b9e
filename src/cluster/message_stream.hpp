// The cluster's store of QoS 1/2 messages (docs/cluster.md, "Sessions that move"): the QoS 1/2 messages a
// node's clients publish that a persistent session could want (session_interest.hpp) go to the JetStream
// stream CULEX_MESSAGES, on their topic's subject under `culex.stored.`; the publisher's PUBACK (or PUBREC)
// waits until JetStream acknowledged it, by the node holding the publishing loop's commit fence
// (broker/store_step.hpp) until the acknowledgement. A node that resumes a persistent session reads from the
// stream what matched the session's subscriptions since it went offline. The stream is bounded by age and
// bytes (Bounds: cluster_stream_max_age and cluster_stream_max_bytes): a session offline longer than that
// loses the oldest of its messages.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "broker/message.hpp"
#include "broker/store_step.hpp"
#include "cluster/nats_handles.hpp"
#include "cluster/wire_message.hpp"

namespace culex::cluster {

class MessageStream {
  public:
    static constexpr const char* kStream = "CULEX_MESSAGES";
    static constexpr std::string_view kPrefix = "culex.stored.";
    // How long a message's store waits for JetStream before its publisher is told it was not stored.
    static constexpr std::int64_t kAckWaitMs = 5000;

    // What the operator set (config::ClusterSettings): replicas (0: 3 or 1, as the NATS cluster allows),
    // and the stream's bounds (unset: these defaults for a new stream, an existing one's left as they are).
    struct Bounds {
        int replicas = 0;
        std::optional<std::chrono::seconds> max_age;
        std::optional<std::int64_t> max_bytes;
    };
    static constexpr std::chrono::hours kDefaultMaxAge{24};
    static constexpr std::int64_t kDefaultMaxBytes = std::int64_t{1} << 30;
    // Opens (or creates) the stream and brings it to `bounds`; a publishing context of its own carries the
    // acknowledgement handler.
    static std::expected<std::unique_ptr<MessageStream>, std::string> start(natsConnection* connection,
                                                                            jsCtx* jetstream,
                                                                            const Bounds& bounds);
    ~MessageStream();
    MessageStream(const MessageStream&) = delete;
    MessageStream& operator=(const MessageStream&) = delete;

    // Stores `message` (on `subject`, under kPrefix); `fence` is let go when JetStream acknowledged it, and
    // failed first if it did not. On the publisher's loop. While NATS is out of reach nothing is stored and
    // the fence goes at once: the node keeps serving its own clients (docs/cluster.md, "Failures").
    void store(const broker::Message& message, const std::string& subject, const Origin& origin,
               broker::FencePtr fence);
    // Waits (bounded) for the acknowledgements still due, then lets every fence go: at stop.
    void stop();

    // Messages JetStream acknowledged, and those it did not store (refused, not acknowledged in time, not
    // sent). Written by the acknowledgement thread (or the loop whose publish failed), read by anyone.
    std::uint64_t stored() const { return stored_.load(std::memory_order_relaxed); }
    std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

    // The stream's last sequence (0: empty), or nullopt when JetStream does not answer.
    std::optional<std::uint64_t> last_sequence();

    struct Stored {
        std::uint64_t sequence;
        broker::MessagePtr message;
    };
    // The messages on `subjects` (filters' subjects) from stream sequence `from` up to the stream's end when
    // asked, each once, in stream order; at most `limit`. An error names what JetStream said.
    std::expected<std::vector<Stored>, std::string> read(const std::vector<std::string>& subjects,
                                                         std::uint64_t from, std::size_t limit);

  private:
    MessageStream(natsConnection* connection, jsCtx* plain) : connection_(connection), plain_(plain) {}
    static void on_ack(jsCtx*, natsMsg* message, jsPubAck* ack, jsPubAckErr* error, void* closure);
    void acknowledged(natsMsg* message, bool stored);
    std::expected<void, std::string> read_subject(const std::string& subject, std::uint64_t from,
                                                  std::uint64_t last, std::size_t limit,
                                                  std::vector<Stored>& out);

    natsConnection* connection_;
    jsCtx* plain_;            // the node's own context, for requests
    JetStreamPtr publisher_;  // with the acknowledgement handler
    std::mutex mutex_;
    std::atomic<std::uint64_t> stored_{0};
    std::atomic<std::uint64_t> failures_{0};
    bool failing_ = false;  // a store failed (logged once per failure run); under mutex_
    bool away_ = false;     // NATS is out of reach: messages are acknowledged unstored (logged once)
    // The fences of messages JetStream has not acknowledged yet, by the message's address.
    std::unordered_map<natsMsg*, broker::FencePtr> waiting_;
};

}  // namespace culex::cluster
