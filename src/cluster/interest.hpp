// The NATS subscriptions that carry this node's interest: one per mapped subject (and queue group, for a
// shared subscription), reference-counted across every loop's sessions, so that a thousand clients on
// `a/#` cost NATS one subscription, which goes when the last of them does. Each subject gained or lost is
// announced to the other nodes (interest_gossip.hpp), numbered under the same lock, so that they know this
// node's interest and send it only what it wants. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cluster/interest_gossip.hpp"
#include "cluster/nats_handles.hpp"

namespace culex::cluster {

class Interest {
  public:
    // Messages of every subscription go to `handler` with `closure`, on libnats's delivery thread; changes
    // are announced through `gossip`.
    Interest(natsConnection* connection, natsMsgHandler handler, void* closure, InterestGossip& gossip);
    ~Interest();
    Interest(const Interest&) = delete;
    Interest& operator=(const Interest&) = delete;

    // A subscription on `filter` (a topic filter, or `$share/GROUP/FILTER`) was added / removed.
    void add(std::string_view filter);
    void remove(std::string_view filter);
    // Unsubscribes everything: after it, the handler is called no more (shutdown).
    void clear();

    // The queue group of the open subscription `sid` ("" for a plain one); nullopt once it is closed.
    std::optional<std::string> queue_of(std::int64_t sid) const;

    // Sends the whole set to `reply` (a sync request's answer).
    void send_snapshot(const std::string& reply);

    // How many NATS subscriptions are open.
    std::size_t size() const;

  private:
    struct Entry {
        int references = 0;
        SubscriptionPtr subscription;
    };

    void add_subject(const std::string& subject, const std::string& queue);
    void remove_subject(const std::string& subject, const std::string& queue);

    natsConnection* connection_;
    natsMsgHandler handler_;
    void* closure_;
    InterestGossip& gossip_;
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, std::string>, Entry> entries_;  // (subject, queue group): "" for none
    std::unordered_map<std::int64_t, std::string> queue_by_sid_;    // every open subscription's queue group
    std::uint64_t sequence_ = 0;                                    // of the last change announced
};

}  // namespace culex::cluster
