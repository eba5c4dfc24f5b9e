#include "sniff/link_layer.hpp"

#include <pcap/dlt.h>

namespace culex::sniff {

namespace {

constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kEtherTypeIpv6 = 0x86DD;
constexpr std::uint16_t kEtherTypeVlan = 0x8100;
constexpr std::uint16_t kEtherTypeQinQ = 0x88A8;

std::uint16_t be16(std::string_view bytes, std::size_t at) {
    return static_cast<std::uint16_t>((static_cast<std::uint8_t>(bytes[at]) << 8) |
                                      static_cast<std::uint8_t>(bytes[at + 1]));
}

std::optional<IpPacket> by_ether_type(std::uint16_t type, std::string_view frame, std::size_t offset) {
    if (offset > frame.size()) return std::nullopt;
    if (type == kEtherTypeIpv4) return IpPacket{4, frame.substr(offset)};
    if (type == kEtherTypeIpv6) return IpPacket{6, frame.substr(offset)};
    return std::nullopt;
}

// The version nibble decides, for link types that carry IP with no type field.
std::optional<IpPacket> by_version_nibble(std::string_view frame, std::size_t offset) {
    if (offset >= frame.size()) return std::nullopt;
    int version = static_cast<std::uint8_t>(frame[offset]) >> 4;
    if (version != 4 && version != 6) return std::nullopt;
    return IpPacket{version, frame.substr(offset)};
}

}  // namespace

bool is_supported_link_type(int link_type) {
    switch (link_type) {
        case DLT_EN10MB:
        case DLT_LINUX_SLL:
        case DLT_LINUX_SLL2:
        case DLT_NULL:
        case DLT_LOOP:
        case DLT_RAW:
        case DLT_IPV4:
        case DLT_IPV6:
            return true;
        default:
            return false;
    }
}

std::optional<IpPacket> find_ip_packet(int link_type, std::string_view frame) {
    switch (link_type) {
        case DLT_EN10MB: {
            std::size_t offset = 12;
            if (frame.size() < offset + 2) return std::nullopt;
            std::uint16_t type = be16(frame, offset);
            // 802.1Q / 802.1ad tags: skip each 4-byte tag to the real EtherType.
            while ((type == kEtherTypeVlan || type == kEtherTypeQinQ) && frame.size() >= offset + 6) {
                offset += 4;
                type = be16(frame, offset);
            }
            return by_ether_type(type, frame, offset + 2);
        }
        case DLT_LINUX_SLL:  // 16-byte header, protocol in the last two bytes
            if (frame.size() < 16) return std::nullopt;
            return by_ether_type(be16(frame, 14), frame, 16);
        case DLT_LINUX_SLL2:  // 20-byte header, protocol in the first two bytes
            if (frame.size() < 20) return std::nullopt;
            return by_ether_type(be16(frame, 0), frame, 20);
        case DLT_NULL:
        case DLT_LOOP:  // 4-byte address family in host or network order: the IP version nibble is simpler
            return by_version_nibble(frame, 4);
        case DLT_RAW:
        case DLT_IPV4:
        case DLT_IPV6:
            return by_version_nibble(frame, 0);
        default:
            return std::nullopt;
    }
}

}  // namespace culex::sniff
