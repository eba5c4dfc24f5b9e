// The vocabulary shared by reassembly and analysis: which way bytes flow, when, and between whom.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace culex::sniff {

// Capture time, microseconds since the Unix epoch.
using Micros = std::chrono::microseconds;

enum class Direction : std::uint8_t { to_broker = 0, to_client = 1 };

using ConnectionId = std::uint64_t;

struct Endpoints {
    std::string client;  // "127.0.0.1:50312" or "[::1]:50312"
    std::string broker;
    std::uint16_t broker_port = 0;
    bool partial = false;  // the capture began after the handshake: the client side is a guess from the ports
};

enum class CloseReason : std::uint8_t {
    closed,          // FIN or RST
    timed_out,       // nothing seen for the keep-alive period
    gave_up,         // too much data buffered behind a hole that never filled
    end_of_capture,  // still open when the file ended or the capture was stopped
};

}  // namespace culex::sniff
