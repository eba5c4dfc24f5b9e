// What the admin API (ops) may see of the sessions a loop owns: copies made on that loop, so that the HTTP
// thread reads them without touching the loop's state. Made on request only, never on the message path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace culex::broker {

struct SubscriptionSnapshot {
    std::string filter;  // as subscribed ($share/GROUP/FILTER for a shared one)
    int qos = 0;
    bool no_local = false;
    bool retain_as_published = false;
    std::uint32_t identifier = 0;  // MQTT 5 Subscription Identifier; 0: none
};

struct SessionSnapshot {
    std::string client_id;
    bool online = false;
    // Of its current (or latest) connection.
    std::string address;                  // "ADDR:PORT"; empty when offline
    std::optional<std::string> username;  // nullopt: anonymous
    int protocol_level = 4;               // 3, 4 or 5
    int listener = 0;
    std::uint16_t keep_alive = 0;
    std::int64_t connected_since_ms = 0;  // Unix milliseconds; 0 when offline
    // Session state.
    bool persistent = false;                      // outlives its connection
    std::optional<std::uint32_t> expiry_seconds;  // nullopt: never expires
    std::size_t queued = 0;
    std::size_t queued_bytes = 0;
    std::size_t stored_queue = 0;  // queued in the store only
    std::size_t inflight = 0;
    std::size_t incoming_qos2 = 0;
    std::vector<SubscriptionSnapshot> subscriptions;  // filled when asked for
};

// What to copy: every session (or only online ones), or the one named.
struct InspectionQuery {
    std::optional<std::string> client_id;
    bool online_only = false;
    bool with_subscriptions = false;
    std::size_t limit = SIZE_MAX;  // copies at most this many (the API's offset + limit)
};

}  // namespace culex::broker
