// max_packet_size; the limits that are one number in a range are set in option_table.cpp directly.
#include "config/option_handlers.hpp"

namespace culex::config::parsing {

Result on_max_packet_size(Parser& p, const Line& l) {
    // Below 20 bytes ordinary packets no longer fit (Mosquitto's floor); above, MQTT's own ceiling.
    std::uint32_t value = 0;
    if (auto ok = set_integer(l, value, 20, 268'435'460); !ok) return ok;
    p.config.max_packet_size = value;
    return {};
}

}  // namespace culex::config::parsing
