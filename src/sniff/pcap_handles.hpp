// RAII for libpcap: capture handles (a file, or a live interface) and dump files (-w), plus the BPF filter.
// Every failure comes back as an Error that says what to do about it (permissions, missing file, bad filter).
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace culex::sniff {

struct PcapCloser {
    void operator()(pcap_t* handle) const { pcap_close(handle); }
};
struct PcapDumperCloser {
    void operator()(pcap_dumper_t* dumper) const { pcap_dump_close(dumper); }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;
using PcapDumperHandle = std::unique_ptr<pcap_dumper_t, PcapDumperCloser>;

// A pcap or pcapng file, as tcpdump, tshark or `culex sniff -w` write them.
std::expected<PcapHandle, Error> open_capture_file(const std::string& path);

// A live capture on `interface` in immediate mode (each packet delivered as it arrives), waking up at least
// every `timeout_ms` so that a stop request is seen. Needs root or CAP_NET_RAW; the error says so.
std::expected<PcapHandle, Error> open_live_capture(const std::string& interface, int timeout_ms = 100);

// Compiles `expression` (BPF syntax, as for tcpdump) and applies it; an empty expression captures everything.
std::expected<void, Error> apply_filter(pcap_t* handle, const std::string& expression);

// Writes what `handle` reads to `path`, in classic pcap format with the handle's link type.
class PcapDumper {
  public:
    static std::expected<PcapDumper, Error> open(pcap_t* handle, const std::string& path);

    void write(const pcap_pkthdr& header, const std::uint8_t* data) {
        pcap_dump(reinterpret_cast<u_char*>(dumper_.get()), &header, data);
    }
    void flush() { pcap_dump_flush(dumper_.get()); }

  private:
    explicit PcapDumper(PcapDumperHandle dumper) : dumper_(std::move(dumper)) {}
    PcapDumperHandle dumper_;
};

// A pcap file written frame by frame, for fixtures and generated captures: `link_type` is a DLT_ value.
class PcapFileWriter {
  public:
    static std::expected<PcapFileWriter, Error> create(const std::string& path, int link_type = DLT_EN10MB);

    // `time_us`: microseconds since the epoch.
    void write(std::int64_t time_us, std::string_view frame);

  private:
    PcapFileWriter(PcapHandle dead, PcapDumper dumper) : dead_(std::move(dead)), dumper_(std::move(dumper)) {}
    PcapHandle dead_;  // the link type and snapshot length the dumper needs; declared first, closed last
    PcapDumper dumper_;
};

}  // namespace culex::sniff
