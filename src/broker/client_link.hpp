// What the broker needs of a network connection, so that src/broker stays free of sockets: net implements
// it, tests fake it. Every call happens on the connection's own event loop.
#pragma once

#include <string>
#include <string_view>

#include "protocol/codec.hpp"
#include "protocol/packets.hpp"

namespace culex::broker {

enum class CloseReason {
    disconnect,   // the client sent DISCONNECT
    peer_closed,  // the socket closed or failed without DISCONNECT
    keepalive_timeout,
    protocol_error,
    taken_over,  // another connection with the same client id
    refused,     // after a CONNACK with an error code
};

class ClientLink {
  public:
    virtual ~ClientLink() = default;
    // Queues the packet; everything queued in one loop turn goes out in one write.
    virtual void send(const protocol::Packet& packet) = 0;
    // Flushes what is queued, then closes. Idempotent. The broker is not called back for this close.
    virtual void close() = 0;
    // "ADDR:PORT" of the peer, for logs. Made when asked: thousands of idle connections need not carry it.
    virtual std::string peer() const = 0;
    // Queues one delivery of a shared message, encoded straight from it with this receiver's fields.
    // Returns false, queuing nothing, when the packet would exceed the client's Maximum Packet Size.
    virtual bool send_publish(const protocol::Publish& message, const protocol::DeliveryFields& fields) = 0;
    // Bytes queued for the client that its socket has not taken yet. The broker drops QoS 0 deliveries to a
    // client whose unsent output passed BrokerSettings::output_buffer_limit, so that a subscriber that
    // stopped reading cannot make the broker hold a copy of everything published to it.
    virtual std::size_t unsent_bytes() const = 0;
    // Negotiated after CONNECT: the codec version, the keepalive to enforce (0: none) and the largest packet
    // the client accepts (0: no limit of its own).
    virtual void set_protocol(protocol::ProtocolVersion version, std::uint16_t keep_alive,
                              std::uint32_t max_packet_size = 0) = 0;
};

}  // namespace culex::broker
