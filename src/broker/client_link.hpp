// What the broker needs of a network connection, so that src/broker stays free of sockets: net implements
// it, tests fake it. Every call happens on the connection's own event loop.
#pragma once

#include <string>
#include <string_view>

#include "protocol/packets.hpp"

namespace culex::broker {

enum class CloseReason {
    disconnect,   // the client sent DISCONNECT
    peer_closed,  // the socket closed or failed without DISCONNECT
    keepalive_timeout,
    protocol_error,
    taken_over,  // another connection with the same client id
    refused,     // after a CONNACK with an error code
    shutting_down,
};

class ClientLink {
  public:
    virtual ~ClientLink() = default;
    // Queues the packet; everything queued in one loop turn goes out in one write.
    virtual void send(const protocol::Packet& packet) = 0;
    // Flushes what is queued, then closes. Idempotent. The broker is not called back for this close.
    virtual void close() = 0;
    // "ADDR:PORT" of the peer, for logs.
    virtual const std::string& peer() const = 0;
    // Negotiated after CONNECT: the codec version and the keepalive to enforce (0: none).
    virtual void set_protocol(protocol::ProtocolVersion version, std::uint16_t keep_alive) = 0;
};

}  // namespace culex::broker
