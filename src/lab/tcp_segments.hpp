// The TCP segments of a capture, one line each, as tshark's summary lists them: time since the first frame,
// addresses, flags ([SYN], [SYN, ACK], [ACK], [PSH, ACK], [FIN, ACK]) and payload length. culex sniff shows
// what the segments carry; this shows the segments themselves: the handshake, and the FIN.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lab/error.hpp"

namespace culex::lab {

struct TcpSegment {
    double time = 0;                  // seconds since the first frame of the capture
    std::string source, destination;  // ADDRESS:PORT
    std::uint8_t flags = 0;
    std::size_t payload = 0;
};

// "[SYN, ACK]" for the flags byte of a TCP header (FIN, SYN, RST, PSH, ACK, URG; in tshark's order).
std::string tcp_flag_names(std::uint8_t flags);

// A segment from an IPv4 or IPv6 packet, or nothing when the packet is not TCP or is cut short.
std::optional<TcpSegment> parse_tcp_segment(int ip_version, std::string_view ip_packet);

// Every TCP segment of a pcap or pcapng file.
Result<std::vector<TcpSegment>> read_tcp_segments(const std::string& path);

std::string format_segment(const TcpSegment& segment);

}  // namespace culex::lab
