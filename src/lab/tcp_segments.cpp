#include "lab/tcp_segments.hpp"

#include <arpa/inet.h>

#include <fmt/format.h>

#include "sniff/link_layer.hpp"
#include "sniff/pcap_handles.hpp"

namespace culex::lab {

namespace {

std::uint16_t be16(std::string_view b, std::size_t at) {
    return static_cast<std::uint16_t>(static_cast<std::uint8_t>(b[at]) << 8 |
                                      static_cast<std::uint8_t>(b[at + 1]));
}

std::string address(int family, const char* bytes, std::uint16_t port) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(family, bytes, text, sizeof text);
    return family == AF_INET6 ? fmt::format("[{}]:{}", text, port) : fmt::format("{}:{}", text, port);
}

}  // namespace

std::string tcp_flag_names(std::uint8_t flags) {
    // tshark's order: the ones that tell the story first.
    static constexpr std::pair<std::uint8_t, const char*> kNames[] = {
        {0x01, "FIN"}, {0x02, "SYN"}, {0x04, "RST"}, {0x08, "PSH"}, {0x10, "ACK"}, {0x20, "URG"}};
    std::string text;
    for (auto [bit, name] : kNames) {
        if ((flags & bit) == 0) continue;
        if (!text.empty()) text += ", ";
        text += name;
    }
    return "[" + text + "]";
}

std::optional<TcpSegment> parse_tcp_segment(int ip_version, std::string_view ip) {
    TcpSegment segment;
    std::size_t header = 0;
    std::size_t total = ip.size();
    int family = AF_INET;
    const char *source = nullptr, *destination = nullptr;
    if (ip_version == 4) {
        if (ip.size() < 20 || static_cast<std::uint8_t>(ip[9]) != 6) return std::nullopt;
        header = (static_cast<std::uint8_t>(ip[0]) & 0x0f) * 4u;
        total = std::min<std::size_t>(total, be16(ip, 2));
        source = ip.data() + 12;
        destination = ip.data() + 16;
    } else if (ip_version == 6) {
        // Extension headers are not followed: the lab's TCP over a veth carries none.
        if (ip.size() < 40 || static_cast<std::uint8_t>(ip[6]) != 6) return std::nullopt;
        header = 40;
        total = std::min<std::size_t>(total, 40u + be16(ip, 4));
        family = AF_INET6;
        source = ip.data() + 8;
        destination = ip.data() + 24;
    } else {
        return std::nullopt;
    }
    if (header < 20 || total < header + 20) return std::nullopt;
    std::string_view tcp = ip.substr(header, total - header);
    std::size_t tcp_header = (static_cast<std::uint8_t>(tcp[12]) >> 4) * 4u;
    if (tcp_header < 20 || tcp.size() < tcp_header) return std::nullopt;
    segment.source = address(family, source, be16(tcp, 0));
    segment.destination = address(family, destination, be16(tcp, 2));
    segment.flags = static_cast<std::uint8_t>(tcp[13]);
    segment.payload = tcp.size() - tcp_header;
    return segment;
}

Result<std::vector<TcpSegment>> read_tcp_segments(const std::string& path) {
    auto capture = sniff::open_capture_file(path);
    if (!capture) return std::unexpected(Error{capture.error().message});
    int link_type = pcap_datalink(capture->get());
    std::vector<TcpSegment> segments;
    double first = -1;
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(capture->get(), &header, &data) == 1) {
        double time = static_cast<double>(header->ts.tv_sec) + header->ts.tv_usec / 1e6;
        if (first < 0) first = time;
        auto ip = sniff::find_ip_packet(
            link_type, std::string_view(reinterpret_cast<const char*>(data), header->caplen));
        if (!ip) continue;
        auto segment = parse_tcp_segment(ip->version, ip->bytes);
        if (!segment) continue;
        segment->time = time - first;
        segments.push_back(std::move(*segment));
    }
    return segments;
}

std::string format_segment(const TcpSegment& s) {
    return fmt::format("{:10.6f} {} -> {} TCP {} len={}", s.time, s.source, s.destination,
                       tcp_flag_names(s.flags), s.payload);
}

}  // namespace culex::lab
