// Internal to Worker: one connection of a loop, as its two halves (worker.cpp sends, worker_receive.cpp
// receives) both see it.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/pacer.hpp"
#include "bench/tls_link.hpp"
#include "bench/worker.hpp"

namespace culex::bench {

enum class Role : std::uint8_t { idle, publisher, subscriber };
enum class ConnState : std::uint8_t { pending, connecting, handshake, connack, suback, ready, closed };

inline std::string errno_text(int error) {
    return std::strerror(error);
}

struct Worker::Connection {
    Fd fd;
    std::unique_ptr<TlsLink> tls;  // over `fd`; null for plain TCP
    Role role = Role::idle;
    ConnState state = ConnState::pending;
    bool write_blocked = false;
    unsigned id = 0;  // publisher, subscriber or idle connection number
    std::string out;
    std::size_t out_offset = 0;
    std::string carry;  // the start of a frame whose end has not arrived
    std::int64_t last_write_ns = 0;

    // Ends the connection: the SSL first, since it reads and writes through the descriptor.
    void close() {
        tls.reset();
        fd.reset();
    }

    // Publisher.
    std::unique_ptr<PublishTemplate> message;
    std::uint64_t sequence = 0;
    std::uint64_t unacked = 0;
    std::uint64_t written_off = 0;  // given up on (lost) to unblock the window
    std::uint16_t next_packet_id = 1;
    std::int64_t blocked_since = 0;
    unsigned window = 0;
    std::optional<Pacer> pacer;  // at a fixed rate only

    // Subscriber.
    std::string filter;
    unsigned first_publisher = 0;
    std::vector<SequenceTracker> streams;
    std::vector<std::uint32_t> pending;  // deliveries per publisher in this read batch
    std::vector<unsigned> touched;
};

}  // namespace culex::bench
