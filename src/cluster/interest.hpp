// The NATS subscriptions that carry this node's interest: one per mapped subject (and queue group, for a
// shared subscription), reference-counted across every loop's sessions, so that a thousand clients on
// `a/#` cost NATS one subscription, which goes when the last of them does. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "cluster/nats_handles.hpp"

namespace culex::cluster {

class Interest {
  public:
    // Messages of every subscription go to `handler` with `closure`, on libnats's delivery thread.
    Interest(natsConnection* connection, natsMsgHandler handler, void* closure);
    ~Interest();
    Interest(const Interest&) = delete;
    Interest& operator=(const Interest&) = delete;

    // A subscription on `filter` (a topic filter, or `$share/GROUP/FILTER`) was added / removed.
    void add(std::string_view filter);
    void remove(std::string_view filter);
    // Unsubscribes everything: after it, the handler is called no more (shutdown).
    void clear();

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
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, std::string>, Entry> entries_;  // (subject, queue group): "" for none
};

}  // namespace culex::cluster
