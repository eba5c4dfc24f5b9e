// A JetStream KV watch read on a thread of its own (libnats hands entries to whoever calls kvWatcher_Next):
// each entry goes to a handler, the end of the values that existed when the watch began is said once, and a
// watch that breaks while NATS is away is waited on, not spun. Used by the nodes' watches of culex_clients
// (client_ownership.hpp) and culex_sessions (session_watch.hpp).
#pragma once

#include <condition_variable>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "cluster/nats_handles.hpp"

namespace culex::cluster {

class KvWatch {
  public:
    struct Handlers {
        std::function<void(kvEntry*)> entry;  // each put (and delete, unless ignored); destroyed after
        std::function<void()> loaded;         // the values that existed at the start are all read (once)
        std::function<void()> tick;           // after each entry or wait (at most a second apart)
    };
    // Watches every key of `bucket` (which outlives this); `name` is for error messages.
    static std::expected<std::unique_ptr<KvWatch>, std::string> start(kvStore* bucket, const char* name,
                                                                      bool ignore_deletes, Handlers handlers);
    ~KvWatch();
    KvWatch(const KvWatch&) = delete;
    KvWatch& operator=(const KvWatch&) = delete;
    // Ends the thread: no handler runs after it returns. Idempotent.
    void stop();

  private:
    KvWatch(kvWatcher* watcher, Handlers handlers) : watcher_(watcher), handlers_(std::move(handlers)) {}
    void read_until_stopped();
    bool stopping();

    kvWatcher* watcher_;
    Handlers handlers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace culex::cluster
