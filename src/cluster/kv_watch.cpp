#include "cluster/kv_watch.hpp"

#include <fmt/format.h>

#include <chrono>
#include <utility>

namespace culex::cluster {

std::expected<std::unique_ptr<KvWatch>, std::string> KvWatch::start(kvStore* bucket, const char* name,
                                                                    bool ignore_deletes, Handlers handlers) {
    kvWatchOptions options;
    kvWatchOptions_Init(&options);
    options.IgnoreDeletes = ignore_deletes;
    kvWatcher* watcher = nullptr;
    if (natsStatus s = kvStore_WatchAll(&watcher, bucket, &options); s != NATS_OK)
        return std::unexpected(
            fmt::format("cluster: cannot watch the KV bucket {}: {}", name, nats_error(s)));
    std::unique_ptr<KvWatch> watch(new KvWatch(watcher, std::move(handlers)));
    watch->thread_ = std::thread([raw = watch.get()] { raw->read_until_stopped(); });
    return watch;
}

KvWatch::~KvWatch() {
    stop();
    kvWatcher_Destroy(watcher_);
}

void KvWatch::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    kvWatcher_Stop(watcher_);  // wakes kvWatcher_Next
    if (thread_.joinable()) thread_.join();
}

bool KvWatch::stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
}

void KvWatch::read_until_stopped() {
    bool loaded = false;
    while (!stopping()) {
        kvEntry* entry = nullptr;
        natsStatus s = kvWatcher_Next(&entry, watcher_, 1000);
        if (s == NATS_OK && entry) {
            handlers_.entry(entry);
            kvEntry_Destroy(entry);
        } else if (s == NATS_OK && !std::exchange(loaded, true)) {  // nil: the initial values are all in
            if (handlers_.loaded) handlers_.loaded();
        } else if (s != NATS_OK && s != NATS_TIMEOUT) {  // stopped, or the watch broke: not a busy loop
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
        }
        if (handlers_.tick) handlers_.tick();
    }
}

}  // namespace culex::cluster
