// A persistent session's record in the JetStream KV bucket culex_sessions (docs/cluster.md, "Sessions that
// move"), as text: written by the node that holds the session, read by the node its client comes back to.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/cluster_link.hpp"

namespace culex::cluster {

// The JetStream KV bucket of the records (key: ClientOwnership::key_of the client id).
inline constexpr const char* kSessionBucket = "culex_sessions";

struct SessionRecord {
    std::string home;  // NODE:INCARNATION of the node that holds it (connected or offline)
    std::string home_node;
    // Its client is connected at `home`: the record is kept up to date while it is (subscriptions, and
    // `since` moving forward as the client acknowledges), so that the client resumes elsewhere if that
    // node dies. False: offline at `home`, written when the connection ended.
    bool online = false;
    std::uint64_t since = 1;                      // the first stream sequence it may not have acknowledged
    std::int64_t expires_at_ms = 0;               // wall clock; 0: never, or not while online
    std::optional<std::uint32_t> expiry_seconds;  // its Session Expiry Interval; nullopt: never
    std::vector<broker::ClusterSubscription> subscriptions;
};

std::string encode_session_record(const SessionRecord& record);
std::optional<SessionRecord> decode_session_record(std::string_view text);

// What a sweep (session_sweep.hpp) does with a record, knowing whether its home is live: a dead home's
// offline record whose expiry passed goes; a dead home's online record becomes an offline one that expires
// its expiry interval from `now_ms` (when the death was noticed; a session that never expires stays).
enum class SweepAction { keep, remove, mark_offline };
SweepAction sweep_action(const SessionRecord& record, bool home_live, std::int64_t now_ms);

// NODE of "NODE:INCARNATION" / INCARNATION of it (the incarnation is the part after the last ':').
std::string_view node_of_home(std::string_view home);
std::string_view incarnation_of_home(std::string_view home);

}  // namespace culex::cluster
