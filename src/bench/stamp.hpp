// The first 24 bytes of every payload culex bench publishes: a magic number, the publisher's number, its
// sequence number and the send time. Receivers find loss and duplicates from the sequence numbers and
// latency from the time (CLOCK_MONOTONIC, so sender and receiver must share the machine's clock, as they do
// when one culex bench process does both). Native byte order: the stamp never leaves this machine's
// processes.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace culex::bench {

constexpr std::uint32_t kStampMagic = 0x31627863;  // "cxb1" in memory on a little-endian machine
constexpr std::size_t kStampSize = 24;

struct Stamp {
    std::uint32_t publisher = 0;
    std::uint64_t sequence = 0;
    std::int64_t sent_ns = 0;
};

// Writes the stamp over the first kStampSize bytes of `out`.
void write_stamp(char* out, const Stamp& stamp);

// The stamp at the start of `payload`, or nullopt when the payload is not one of ours.
std::optional<Stamp> read_stamp(std::string_view payload);

// CLOCK_MONOTONIC in nanoseconds (vDSO: no system call).
std::int64_t now_ns();

}  // namespace culex::bench
