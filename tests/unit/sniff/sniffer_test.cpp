// The whole pipeline on pcap files the tests write: read (-r) with the port filter, reassembly of reordered
// and retransmitted segments, decoding of a PUBLISH that spans segments, the fields output, -w writing what
// was read, and the errors for a missing file and a bad filter.
#include <gtest/gtest.h>
#include <pcap/dlt.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "protocol/codec.hpp"
#include "sniff/pcap_handles.hpp"
#include "sniff/sniffer.hpp"
#include "tcp_fixture.hpp"

namespace culex::sniff {
namespace {

using namespace culex::protocol;
using testing::TcpConversation;

class TempDir {
  public:
    TempDir() {
        std::mt19937_64 random{std::random_device{}()};
        path_ = std::filesystem::temp_directory_path() / ("culex-sniff-test-" + std::to_string(random()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

  private:
    std::filesystem::path path_;
};

// What run_sniff writes to a file descriptor, read back.
class CapturedFd {
  public:
    CapturedFd() : file_(std::tmpfile()) {}
    ~CapturedFd() { std::fclose(file_); }
    int fd() const { return fileno(file_); }
    std::string text() {
        std::string out;
        std::rewind(file_);
        char buffer[4096];
        while (auto n = std::fread(buffer, 1, sizeof buffer, file_))
            out.append(buffer, n);
        return out;
    }

  private:
    std::FILE* file_;
};

std::string encoded(const Packet& packet) {
    std::string out;
    encode(packet, ProtocolVersion::v311, out);
    return out;
}

// A capture of one MQTT connection on 1883 whose PUBLISH spans three segments, captured out of order and with
// a retransmission, plus a connection on port 80 that the port filter must leave out.
std::vector<std::string> fixture_frames() {
    TcpConversation tcp(50000, 1883);
    Connect connect;
    connect.client_id = "c1";
    connect.username = "alice";
    connect.password = "pw";
    Publish publish;
    publish.topic = "cheese/strudel";
    publish.payload = Payload(std::string("hello ") + std::string(20, 'x'));
    publish.qos = QoS::at_least_once;
    publish.packet_id = 9;
    std::string c = encoded(connect);
    std::string p = encoded(publish);
    auto at = [&](std::size_t offset) { return static_cast<std::uint32_t>(c.size() + offset); };

    auto frames = tcp.handshake();
    frames.push_back(tcp.data(true, 0, c));
    frames.push_back(tcp.data(false, 0, encoded(Connack{})));
    frames.push_back(tcp.data(true, at(20), p.substr(20)));    // the end first
    frames.push_back(tcp.data(true, at(0), p.substr(0, 10)));  // then the start
    frames.push_back(tcp.data(true, at(0), p.substr(0, 10)));  // retransmitted
    frames.push_back(tcp.data(true, at(10), p.substr(10, 10)));
    Puback ack;
    ack.packet_id = 9;
    frames.push_back(tcp.data(false, 4, encoded(ack)));
    TcpConversation web(50001, 80);
    for (const auto& frame : web.handshake())
        frames.push_back(frame);
    frames.push_back(web.data(true, 0, encoded(publish)));  // MQTT bytes, but not on a broker port
    frames.push_back(tcp.fin(true, at(p.size())));
    frames.push_back(tcp.fin(false, 8));
    return frames;
}

void write_pcap(const std::string& path, const std::vector<std::string>& frames) {
    auto writer = PcapFileWriter::create(path, DLT_EN10MB);
    ASSERT_TRUE(writer.has_value()) << writer.error().message;
    std::int64_t time = 1'700'000'000'000'000;
    for (const auto& frame : frames)
        writer->write(time += 1000, frame);
}

SniffOptions fields_options(const std::string& file) {
    SniffOptions options;
    options.read_file = file;
    options.ports = {1883};
    options.output.format = OutputFormat::fields;
    options.output.fields = {Field::clientid, Field::type, Field::topic, Field::packet_id, Field::payload};
    return options;
}

const char* const kExpected =
    "c1\tCONNECT\t\t\t\n"
    "c1\tCONNACK\t\t\t\n"
    "c1\tPUBLISH\tcheese/strudel\t9\thello xxxxxxxxxxxxxxxxxxxx\n"
    "c1\tPUBACK\t\t9\t\n";

TEST(Sniffer, ReadsAPcapFileTheTestWrote) {
    TempDir dir;
    write_pcap(dir.file("in.pcap"), fixture_frames());
    CapturedFd out, err;
    auto summary = run_sniff(fields_options(dir.file("in.pcap")), out.fd(), err.fd());
    ASSERT_TRUE(summary.has_value()) << summary.error().message;
    EXPECT_EQ(out.text(), kExpected);
    EXPECT_EQ(summary->connections, 1u);  // port 80 filtered out
    EXPECT_EQ(summary->mqtt_packets, 4u);
    EXPECT_EQ(summary->packets_by_type.at("PUBLISH"), 1u);
    EXPECT_EQ(summary->verdicts.at(Verdict::readable), 1u);
    EXPECT_EQ(summary->findings.at(FindingKind::credentials_in_clear), 1u);
    auto report = err.text();
    EXPECT_NE(report.find("FINDING credentials in clear: client 'c1' sent username 'alice'"),
              std::string::npos)
        << report;
    EXPECT_NE(report.find("Verdicts: 1 readable"), std::string::npos) << report;
}

TEST(Sniffer, WriteSavesWhatTheFilterLetThrough) {
    TempDir dir;
    auto frames = fixture_frames();
    write_pcap(dir.file("in.pcap"), frames);
    auto options = fields_options(dir.file("in.pcap"));
    options.write_file = dir.file("out.pcap");
    CapturedFd out, err;
    auto first = run_sniff(options, out.fd(), err.fd());
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_EQ(first->frames, frames.size() - 4);  // the port 80 connection's four frames are not captured

    CapturedFd again_out, again_err;
    auto again = run_sniff(fields_options(dir.file("out.pcap")), again_out.fd(), again_err.fd());
    ASSERT_TRUE(again.has_value()) << again.error().message;
    EXPECT_EQ(again->frames, first->frames);
    EXPECT_EQ(again_out.text(), kExpected);
}

TEST(Sniffer, ErrorsNameTheCauseAndTheFix) {
    TempDir dir;
    CapturedFd out, err;
    auto missing = run_sniff(fields_options(dir.file("missing.pcap")), out.fd(), err.fd());
    ASSERT_FALSE(missing.has_value());
    EXPECT_NE(missing.error().message.find("cannot read capture file"), std::string::npos);

    write_pcap(dir.file("in.pcap"), fixture_frames());
    auto options = fields_options(dir.file("in.pcap"));
    options.filter = "port nonsense";
    auto bad = run_sniff(options, out.fd(), err.fd());
    ASSERT_FALSE(bad.has_value());
    EXPECT_NE(bad.error().message.find("bad capture filter"), std::string::npos) << bad.error().message;

    SniffOptions nothing;
    auto none = run_sniff(nothing, out.fd(), err.fd());
    ASSERT_FALSE(none.has_value());
    EXPECT_NE(none.error().message.find("-i INTERFACE"), std::string::npos);
}

}  // namespace
}  // namespace culex::sniff
