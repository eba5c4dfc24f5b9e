// The TCP segment list: flags in tshark's words, addresses and payload length from IPv4 and IPv6 packets,
// and a capture file read back (written with sniff's PcapFileWriter).
#include <gtest/gtest.h>

#include <filesystem>

#include "lab/tcp_segments.hpp"
#include "sniff/pcap_handles.hpp"

namespace culex::lab {
namespace {

std::string ipv4_tcp(std::uint8_t flags, std::string payload) {
    std::string tcp(20, '\0');
    tcp[0] = char(0x9c), tcp[1] = char(0x40);  // 40000
    tcp[2] = char(0x07), tcp[3] = char(0x5b);  // 1883
    tcp[12] = 0x50;                            // 20-byte header
    tcp[13] = static_cast<char>(flags);
    tcp += payload;
    std::string ip(20, '\0');
    ip[0] = 0x45;
    std::size_t total = 20 + tcp.size();
    ip[2] = static_cast<char>(total >> 8), ip[3] = static_cast<char>(total & 0xff);
    ip[9] = 6;
    const unsigned char source[] = {192, 168, 56, 102}, destination[] = {192, 168, 56, 101};
    for (int i = 0; i < 4; ++i)
        ip[12 + i] = static_cast<char>(source[i]), ip[16 + i] = static_cast<char>(destination[i]);
    return ip + tcp;
}

TEST(LabTcpSegments, FlagNamesAsTshark) {
    EXPECT_EQ(tcp_flag_names(0x02), "[SYN]");
    EXPECT_EQ(tcp_flag_names(0x12), "[SYN, ACK]");
    EXPECT_EQ(tcp_flag_names(0x10), "[ACK]");
    EXPECT_EQ(tcp_flag_names(0x18), "[PSH, ACK]");
    EXPECT_EQ(tcp_flag_names(0x11), "[FIN, ACK]");
    EXPECT_EQ(tcp_flag_names(0x14), "[RST, ACK]");
    EXPECT_EQ(tcp_flag_names(0), "[]");
}

TEST(LabTcpSegments, ParsesIpv4) {
    auto segment = parse_tcp_segment(4, ipv4_tcp(0x18, "hello"));
    ASSERT_TRUE(segment);
    EXPECT_EQ(segment->source, "192.168.56.102:40000");
    EXPECT_EQ(segment->destination, "192.168.56.101:1883");
    EXPECT_EQ(segment->flags, 0x18);
    EXPECT_EQ(segment->payload, 5u);
}

TEST(LabTcpSegments, EthernetPaddingIsNotPayload) {
    // A 40-byte packet padded to Ethernet's minimum: the IP total length decides.
    auto segment = parse_tcp_segment(4, ipv4_tcp(0x10, "") + std::string(6, '\0'));
    ASSERT_TRUE(segment);
    EXPECT_EQ(segment->payload, 0u);
}

TEST(LabTcpSegments, IgnoresWhatIsNotTcp) {
    auto udp = ipv4_tcp(0x02, "");
    udp[9] = 17;
    EXPECT_FALSE(parse_tcp_segment(4, udp));
    EXPECT_FALSE(parse_tcp_segment(4, ipv4_tcp(0x02, "").substr(0, 30)));
    EXPECT_FALSE(parse_tcp_segment(5, ipv4_tcp(0x02, "")));
}

TEST(LabTcpSegments, ParsesIpv6) {
    std::string tcp = ipv4_tcp(0x02, "").substr(20);
    std::string ip(40, '\0');
    ip[0] = 0x60;
    ip[5] = static_cast<char>(tcp.size());
    ip[6] = 6;
    ip[23] = 1;  // ::1
    ip[39] = 1;
    auto segment = parse_tcp_segment(6, ip + tcp);
    ASSERT_TRUE(segment);
    EXPECT_EQ(segment->source, "[::1]:40000");
    EXPECT_EQ(segment->flags, 0x02);
}

TEST(LabTcpSegments, ReadsACaptureFile) {
    auto path = (std::filesystem::temp_directory_path() /
                 ("culex-lab-segments-" + std::to_string(getpid()) + ".pcap"))
                    .string();
    {
        auto writer = sniff::PcapFileWriter::create(path, DLT_RAW);
        ASSERT_TRUE(writer) << writer.error().message;
        writer->write(1'000'000, ipv4_tcp(0x02, ""));
        writer->write(1'250'000, ipv4_tcp(0x18, "abc"));
    }
    auto segments = read_tcp_segments(path);
    std::filesystem::remove(path);
    ASSERT_TRUE(segments) << segments.error().message;
    ASSERT_EQ(segments->size(), 2u);
    EXPECT_EQ(format_segment((*segments)[0]),
              "  0.000000 192.168.56.102:40000 -> 192.168.56.101:1883 TCP [SYN] len=0");
    EXPECT_EQ(format_segment((*segments)[1]),
              "  0.250000 192.168.56.102:40000 -> 192.168.56.101:1883 TCP [PSH, ACK] len=3");
}

TEST(LabTcpSegments, UnreadableFileIsAnError) {
    EXPECT_FALSE(read_tcp_segments("/nonexistent/culex-lab.pcap"));
}

}  // namespace
}  // namespace culex::lab
