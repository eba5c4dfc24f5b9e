// `culex sniff` as a library call: capture live (-i) or read a file (-r), optionally save (-w), reassemble
// TCP, analyse and print, until the file ends, the frame count is reached, or SIGINT/SIGTERM stops a live
// capture (which still prints the summary).
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "sniff/analyzer.hpp"
#include "sniff/output.hpp"

namespace culex::sniff {

// The MQTT ports: plain, TLS, WebSocket, WebSocket over TLS.
inline const std::vector<std::uint16_t> kDefaultPorts{1883, 8883, 8080, 8081};

struct SniffOptions {
    std::string interface;   // -i: live capture
    std::string read_file;   // -r: a pcap or pcapng file
    std::string write_file;  // -w: save what is captured (after the filter)
    std::vector<std::uint16_t> ports = kDefaultPorts;
    bool any_port = false;    // every TCP connection, whatever its port
    std::string filter;       // -f: more BPF, and-ed with the port filter
    std::uint64_t count = 0;  // -c: stop after this many frames (0: no limit)
    OutputOptions output;
    AnalyzerOptions analyzer;
};

// "1883,8883" -> {1883, 8883}; an error names the bad item.
std::expected<std::vector<std::uint16_t>, Error> parse_ports(const std::string& list);

// The BPF filter the options ask for: "tcp and (port 1883 or port 8883)" and the user's, and-ed.
std::string capture_filter(const SniffOptions& options);

// Runs the capture; the output goes to `out_fd`, status and the fields report to `err_fd`.
std::expected<Summary, Error> run_sniff(const SniffOptions& options, int out_fd = 1, int err_fd = 2);

}  // namespace culex::sniff
