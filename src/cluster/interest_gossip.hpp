// How nodes tell each other what they are interested in, over NATS core, so that each node knows the
// remote interest (remote_interest.hpp) and sends a message to NATS only when another node wants it.
//
// - `culex.interest.node.<NODE>`: a node's deltas, one per change of its set of NATS subscriptions
//   ("+SUBJECT" when it gains its first subscription on SUBJECT, "-SUBJECT" when it loses its last), numbered
//   by a per-run sequence; and "gone" when the node stops cleanly.
// - `culex.interest.sync`: a request for snapshots (data: the node wanted, or empty for every node), sent by
//   a node that starts, reconnects to NATS or saw a gap in a node's sequence; the reply subject is the
//   requester's `culex.interest.reply.<NODE>`, where each node answered sends its whole set, in parts.
// Headers: Culex-Node, Culex-Incarnation, Culex-Seq, Culex-Kind (delta | snapshot | gone), Culex-Part (K/N).
// The announcing side is called by Interest under its own lock (which orders the sequence); what arrives is
// handled on libnats's delivery thread.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/nats_handles.hpp"
#include "cluster/remote_interest.hpp"

namespace culex::cluster {

class InterestGossip {
  public:
    // Answers a sync request: sends this node's snapshot to the reply subject it is given.
    using Answer = std::function<void(const std::string& reply)>;

    InterestGossip(natsConnection* connection, std::string node, std::string incarnation,
                   RemoteInterest& remote);
    ~InterestGossip();
    InterestGossip(const InterestGossip&) = delete;
    InterestGossip& operator=(const InterestGossip&) = delete;

    // Subscribes to the other nodes' announcements and to sync requests (answered by `answer`), and asks
    // every node for its snapshot.
    std::expected<void, std::string> start(Answer answer);
    // Stops handling what arrives (before what `answer` uses goes).
    void stop();

    // This node's announcements (serialised by the caller).
    void send_delta(std::uint64_t sequence, char sign, std::string_view subject);
    void send_snapshot(const std::string& reply, std::uint64_t sequence,
                       const std::vector<std::string>& subjects);
    void send_gone();
    // Asks `node` (empty: every node) for its snapshot.
    void request_sync(std::string_view node);

  private:
    static void on_message(natsConnection*, natsSubscription*, natsMsg* message, void* closure);
    void handle(natsMsg* message);
    void send(const std::string& subject, const char* reply, std::string_view kind, std::uint64_t sequence,
              std::string_view data, std::string_view part = {});

    natsConnection* connection_;
    const std::string node_;
    const std::string incarnation_;
    const std::string own_subject_;
    const std::string reply_subject_;
    RemoteInterest& remote_;
    Answer answer_;
    std::mutex handling_;  // held while a message is handled: stop() waits for it
    bool stopped_ = false;
    std::vector<SubscriptionPtr> subscriptions_;
};

}  // namespace culex::cluster
