#include "cluster/session_watch.hpp"

#include <fmt/format.h>

#include "cluster/client_ownership.hpp"
#include "cluster/kv_bucket.hpp"
#include "cluster/session_record.hpp"
#include "log/logger.hpp"

namespace culex::cluster {

using culex::log::logger;
using culex::log::LogType;

std::expected<std::unique_ptr<SessionWatch>, std::string> SessionWatch::start(jsCtx* jetstream,
                                                                              SessionInterest& interest) {
    auto bucket = open_file_bucket(jetstream, kSessionBucket, 0);  // SessionDirectory opened it as configured
    if (!bucket) return std::unexpected(bucket.error());
    std::unique_ptr<SessionWatch> watch(new SessionWatch(std::move(*bucket), interest));
    kvWatchOptions options;
    kvWatchOptions_Init(&options);  // deletes included: a session that ends stops being stored for
    if (natsStatus s = kvStore_WatchAll(&watch->watcher_, watch->bucket_.get(), &options); s != NATS_OK)
        return std::unexpected(
            fmt::format("cluster: cannot watch the KV bucket {}: {}", kSessionBucket, nats_error(s)));
    watch->thread_ = std::thread([raw = watch.get()] { raw->watch_until_stopped(); });
    return watch;
}

SessionWatch::~SessionWatch() {
    stop();
    if (watcher_) kvWatcher_Destroy(watcher_);
}

void SessionWatch::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (watcher_) kvWatcher_Stop(watcher_);  // wakes kvWatcher_Next
    if (thread_.joinable()) thread_.join();
}

bool SessionWatch::stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
}

void SessionWatch::watch_until_stopped() {
    while (!stopping()) {
        kvEntry* entry = nullptr;
        natsStatus s = kvWatcher_Next(&entry, watcher_, 1000);
        interest_.prune(SessionInterest::Clock::now());
        if (s == NATS_TIMEOUT) continue;
        if (s == NATS_OK && !entry) {  // nil: the records that existed at the start are all in
            interest_.loaded();
            logger().log(LogType::debug, "Cluster: {} persistent sessions known, wanting {} stored subjects.",
                         interest_.session_count(), interest_.subject_count());
            continue;
        }
        if (s != NATS_OK) {  // stopped, or the watch broke: not a busy loop meanwhile
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
            continue;
        }
        seen(entry);
        kvEntry_Destroy(entry);
    }
}

void SessionWatch::seen(kvEntry* entry) {
    std::string_view key = kvEntry_Key(entry);
    if (kvEntry_Operation(entry) != kvOp_Put) {
        interest_.remove(key, SessionInterest::Clock::now());
        return;
    }
    auto record = decode_session_record(std::string_view(static_cast<const char*>(kvEntry_Value(entry)),
                                                         static_cast<std::size_t>(kvEntry_ValueLen(entry))));
    if (!record) {
        // Unsure means stored: a record this node cannot read keeps what it was known to want.
        logger().log(LogType::warning,
                     "Warning: cluster: unreadable session record {} in {}: left as it was.", key,
                     kSessionBucket);
        return;
    }
    if (interest_.put(key, record->subscriptions))
        // Said, so that a test can wait until this node stores what the session wants.
        logger().log(LogType::debug,
                     "Cluster: this node stores the QoS 1/2 messages the persistent session of client {} "
                     "subscribed to ({} subscriptions).",
                     ClientOwnership::client_id_of(key), record->subscriptions.size());
}

}  // namespace culex::cluster
