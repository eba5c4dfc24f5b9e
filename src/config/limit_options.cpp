// max_packet_size, and allow_duplicate_messages (how many copies of a message one client gets); the limits
// that are one number in a range are set in option_table.cpp directly.
#include "config/option_handlers.hpp"

namespace culex::config::parsing {

Result on_max_packet_size(Parser& p, const Line& l) {
    // Below 20 bytes ordinary packets no longer fit (Mosquitto's floor); above, MQTT's own ceiling.
    std::uint32_t value = 0;
    if (auto ok = set_integer(l, value, 20, 268'435'460); !ok) return ok;
    p.config.max_packet_size = value;
    return {};
}

Result on_allow_duplicate_messages(Parser& p, const Line& l) {
    bool allow = true;
    if (auto ok = set_bool(l, allow); !ok) return ok;
    // Mosquitto 2.0 deprecates it; its `true` (the default) sends a client one copy per overlapping
    // subscription. culex always sends one, at the highest QoS of them (MQTT 3.3.5 / 3.3.4): said, not
    // hidden.
    if (allow)
        p.warn(
            "allow_duplicate_messages true has no effect: culex sends a client one copy of a message that "
            "matches several of its subscriptions, at the highest of their QoS, as 'false' does in Mosquitto "
            "(docs/compat.md)");
    return {};
}

}  // namespace culex::config::parsing
