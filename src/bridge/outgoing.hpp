// A local message on its way out of a bridge: renamed to its remote topic (a copy only when the prefixes
// differ), and measured as the PUBLISH that actually goes, so that bridge_max_packet_size and the remote's
// Maximum Packet Size judge the remote topic, not the local one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bridge/topic_map.hpp"
#include "protocol/codec.hpp"
#include "protocol/packets.hpp"

namespace culex::bridge {

struct Outgoing {
    std::optional<protocol::Publish> renamed;  // unset: it goes with the local topic
    bool too_big = false;                      // bigger than the limit once renamed: not to be sent

    const protocol::Publish& message(const protocol::Publish& local) const {
        return renamed ? *renamed : local;
    }
};

// `limit`: the largest packet the remote may get, 0 for none (then nothing is encoded to measure).
// `scratch`: reused between calls, so that a measure costs no allocation once it has grown.
Outgoing prepare_outgoing(const TopicRoute& route, const protocol::Publish& local,
                          const protocol::DeliveryFields& fields, protocol::ProtocolVersion version,
                          std::uint32_t limit, std::string& scratch);

}  // namespace culex::bridge
