// The broker core as net sees it, one per event loop: what a connection reports (a packet, bytes that do not
// decode, a timeout, a close) and what the loop itself asks (the end of a step, the second's tick, shutdown).
// net includes this header, never the implementation (broker/loop_broker.hpp). Every call happens on the
// loop's own thread.
#pragma once

#include <chrono>

#include "broker/client.hpp"
#include "broker/client_link.hpp"
#include "broker/loop_counters.hpp"
#include "protocol/codec.hpp"
#include "protocol/packets.hpp"

namespace culex::broker {

class LoopCore {
  public:
    // `listeners`: how many the broker has, each counted apart.
    explicit LoopCore(std::size_t listeners = 1) : counters_(listeners) {}
    virtual ~LoopCore() = default;

    // What this loop counts for $SYS and /metrics; written only by this loop (not virtual: net counts
    // every read and write through it).
    LoopCounters& counters() { return counters_; }

    // --- a connection of this loop ---
    virtual void handle_packet(const ClientPtr& client, protocol::Packet&& packet) = 0;
    // The connection sent bytes that do not decode: close it, naming the violation.
    virtual void handle_bad_packet(const ClientPtr& client, const protocol::DecodeError& error) = 0;
    // The keepalive (or, before CONNECT, the connect timeout) ran out: the broker closes the connection.
    virtual void handle_timeout(const ClientPtr& client) = 0;
    // The connection ended on its own: the socket closed or failed.
    virtual void handle_closed(const ClientPtr& client) = 0;

    // --- the loop ---
    // The loop's outermost step is over (a batch of reads handled, a task run): what it routed to sessions of
    // other loops is handed over now, in one batch per loop.
    virtual void end_step() = 0;
    // Once a second: delayed wills and session expiry.
    virtual void tick(std::chrono::steady_clock::time_point now) = 0;
    // The server is shutting down: MQTT 5 clients hear DISCONNECT 0x8B, every connection closes (flushed).
    // Sessions and wills stay as they are.
    virtual void shut_down() = 0;

  private:
    LoopCounters counters_;
};

}  // namespace culex::broker
