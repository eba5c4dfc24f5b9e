// TCP reassembly: captured frames in, each connection's two byte streams out, in order, once. Built on
// libtins' TCPIP::StreamFollower, which buffers out-of-order segments, drops retransmissions and trims
// overlaps. The broker side of a connection is the one on a broker port (or, when no ports are given, the
// SYN's target).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "sniff/stream_types.hpp"

namespace culex::sniff {

class StreamHandler {
  public:
    virtual ~StreamHandler() = default;
    virtual void on_open(ConnectionId id, const Endpoints& endpoints, Micros time) = 0;
    // In-order bytes of one direction. Return false to ignore the rest of the connection's data.
    virtual bool on_data(ConnectionId id, Direction direction, std::string_view bytes, Micros time) = 0;
    virtual void on_close(ConnectionId id, CloseReason reason, Micros time) = 0;
};

struct ReassemblyStats {
    std::uint64_t frames = 0;
    std::uint64_t tcp_segments = 0;
    std::uint64_t skipped = 0;  // not IP, not TCP, fragments, unreadable headers
    std::uint64_t connections = 0;
};

class Reassembler {
  public:
    // `broker_ports` empty: any port.
    Reassembler(StreamHandler& handler, std::vector<std::uint16_t> broker_ports);
    ~Reassembler();
    Reassembler(const Reassembler&) = delete;
    Reassembler& operator=(const Reassembler&) = delete;

    // One captured frame of link type `link_type` (a DLT_ value).
    void feed(int link_type, std::string_view frame, Micros time);

    // Reports every connection still open as closed with `end_of_capture`.
    void finish(Micros time);

    const ReassemblyStats& stats() const { return stats_; }

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    ReassemblyStats stats_;
};

}  // namespace culex::sniff
