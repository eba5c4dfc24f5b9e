// `-D COMMAND PROPERTY VALUE` (and `-D COMMAND user-property NAME VALUE`) of mosquitto_pub/sub/rr: the MQTT 5
// properties a user attaches to CONNECT, PUBLISH, SUBSCRIBE, UNSUBSCRIBE, DISCONNECT or the will, checked the
// way Mosquitto 2.0 checks them (names without case, its order of checks, its error words), so that a script
// that passes these flags to mosquitto_pub passes them to `culex pub` too.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "protocol/properties.hpp"

namespace culex::client {

// One property list per command a client sends, and the first problem Mosquitto's property check (run once
// every flag is read) would find in each.
struct PropertyLists {
    protocol::Properties connect;
    protocol::Properties publish;
    protocol::Properties subscribe;
    protocol::Properties unsubscribe;
    protocol::Properties disconnect;
    protocol::Properties will;
    bool any = false;  // a -D was given: the client speaks MQTT 5

    // "Duplicate property in property list" or the protocol-error words, per list, first one wins.
    std::optional<std::string> connect_problem, publish_problem, subscribe_problem, unsubscribe_problem,
        disconnect_problem, will_problem;
};

// Parses the words after -D (`rest` starts at COMMAND). On success returns how many words it took (3 or 4);
// on failure the complete error text as Mosquitto prints it (the caller adds the "Use --help" hint).
std::optional<std::size_t> parse_property_arg(std::span<const std::string> rest, PropertyLists& lists,
                                              std::string& error);

// Adds the -x session expiry interval to the CONNECT list, as Mosquitto does after reading the flags (so a
// -D connect session-expiry-interval as well is a duplicate).
void add_session_expiry(PropertyLists& lists, std::uint32_t seconds);

// The check Mosquitto runs on each list once every flag is read: "Error in CONNECT properties: ...\n".
std::optional<std::string> check_property_lists(const PropertyLists& lists);

// Like C's atol, which Mosquitto uses for property values: saturates far outside every range.
long long lenient_atol(std::string_view text);

}  // namespace culex::client
