// Finding the IP packet inside a captured frame, whatever the link type the capture was made on: Ethernet
// (with VLAN tags), Linux cooked (v1 and v2, what "-i any" gives), BSD loopback, raw IP.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace culex::sniff {

struct IpPacket {
    int version = 4;  // 4 or 6
    std::string_view bytes;
};

// The IP packet in `frame`, or nullopt when the frame carries something else (ARP, truncated, unknown link).
std::optional<IpPacket> find_ip_packet(int link_type, std::string_view frame);

// Whether find_ip_packet understands `link_type`.
bool is_supported_link_type(int link_type);

}  // namespace culex::sniff
