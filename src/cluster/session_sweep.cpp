#include "cluster/session_sweep.hpp"

#include <fmt/format.h>

#include <chrono>
#include <vector>

#include "log/logger.hpp"

namespace culex::cluster {

using culex::log::logger;
using culex::log::LogType;

namespace {

constexpr const char* kBucket = "culex_sessions";  // session_directory opened (created) it already
constexpr std::int64_t kReadWaitMs = 5000;         // for each record, at most

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

std::expected<std::unique_ptr<SessionSweep>, std::string> SessionSweep::open(jsCtx* jetstream) {
    kvStore* raw = nullptr;
    if (natsStatus s = js_KeyValue(&raw, jetstream, kBucket); s != NATS_OK)
        return std::unexpected(
            fmt::format("cluster: cannot open the JetStream KV bucket {}: {}", kBucket, nats_error(s)));
    return std::unique_ptr<SessionSweep>(new SessionSweep(KeyValuePtr(raw)));
}

SessionSweep::Swept SessionSweep::sweep(const Live& live) {
    Swept swept;
    kvWatchOptions options;
    kvWatchOptions_Init(&options);
    options.IgnoreDeletes = true;
    kvWatcher* watcher = nullptr;
    if (kvStore_WatchAll(&watcher, sessions_.get(), &options) != NATS_OK) return swept;
    struct Found {
        std::string key;
        std::uint64_t revision;
        SessionRecord record;
    };
    std::vector<Found> found;
    std::int64_t now = now_ms();
    while (true) {
        kvEntry* entry = nullptr;
        if (kvWatcher_Next(&entry, watcher, kReadWaitMs) != NATS_OK || entry == nullptr) break;  // all read
        auto record =
            decode_session_record(std::string_view(static_cast<const char*>(kvEntry_Value(entry)),
                                                   static_cast<std::size_t>(kvEntry_ValueLen(entry))));
        if (record && sweep_action(*record, live(record->home), now) != SweepAction::keep)
            found.push_back({kvEntry_Key(entry), kvEntry_Revision(entry), std::move(*record)});
        kvEntry_Destroy(entry);
    }
    kvWatcher_Destroy(watcher);
    for (auto& [key, revision, record] : found) {
        std::uint64_t written = 0;
        if (sweep_action(record, false, now) == SweepAction::remove) {
            if (kvStore_Delete(sessions_.get(), key.c_str()) == NATS_OK) ++swept.removed;
            continue;
        }
        // At the revision read: a client that resumed it meanwhile keeps it.
        record.online = false;
        record.expires_at_ms = now + static_cast<std::int64_t>(*record.expiry_seconds) * 1000;
        std::string text = encode_session_record(record);
        if (kvStore_UpdateString(&written, sessions_.get(), key.c_str(), text.c_str(), revision) == NATS_OK)
            ++swept.marked;
    }
    if (swept.removed + swept.marked > 0)
        logger().log(LogType::information,
                     "Cluster: sessions of dead nodes swept: {} expired records deleted, {} marked offline.",
                     swept.removed, swept.marked);
    return swept;
}

}  // namespace culex::cluster
