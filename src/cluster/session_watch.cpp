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
    SessionWatch* raw = watch.get();
    // Deletes included: a session that ends stops being stored for.
    auto reading =
        KvWatch::start(watch->bucket_.get(), kSessionBucket, false,
                       {[raw](kvEntry* entry) { raw->seen(entry); },
                        [raw] {
                            raw->interest_.loaded();
                            logger().log(LogType::debug,
                                         "Cluster: {} persistent sessions known, wanting {} stored subjects.",
                                         raw->interest_.session_count(), raw->interest_.subject_count());
                        },
                        [raw] { raw->interest_.prune(SessionInterest::Clock::now()); }});
    if (!reading) return std::unexpected(reading.error());
    watch->watch_ = std::move(*reading);
    return watch;
}

void SessionWatch::stop() {
    if (watch_) watch_->stop();
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
