// One client connection on one event loop: reads bytes, splits and decodes packets, hands them to the loop's
// broker Worker; gathers everything the broker sends in a loop turn into one write; enforces keepalive.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "broker/client.hpp"
#include "broker/client_link.hpp"
#include "broker/worker.hpp"
#include "net/keepalive_sweep.hpp"
#include "net/transport.hpp"

namespace culex::net {

// On TLS listeners with use_identity_as_username or use_subject_as_username: the user name the client's
// certificate gives (nullopt: no certificate, or no CN).
struct CertificateLogin {
    bool required = false;
    std::optional<std::string> username;
};

class Connection final : public broker::ClientLink, public std::enable_shared_from_this<Connection> {
  public:
    Connection(std::unique_ptr<Transport> transport, broker::Worker& worker,
               const broker::BrokerSettings& settings, std::atomic<int>& open_connections,
               KeepaliveSweep& sweep);
    ~Connection() override;

    // `listener`: the index of the listener it came through, which selects its access policy.
    // `certificate`: on TLS listeners with use_identity_as_username or use_subject_as_username, the user
    // name the client's certificate gives.
    void start(int listener, const CertificateLogin& certificate = {});

    // broker::ClientLink
    void send(const protocol::Packet& packet) override;
    void close() override;
    const std::string& peer() const override { return peer_; }
    bool send_publish(const protocol::Publish& message, const protocol::DeliveryFields& fields) override;
    void set_protocol(protocol::ProtocolVersion version, std::uint16_t keep_alive,
                      std::uint32_t max_packet_size) override;

    // Called by the loop's KeepaliveSweep: ends the connection if its keepalive (or, before CONNECT, its
    // connect timeout) ran out. False once the connection is closing: no need to watch it any more.
    bool check_keepalive(std::chrono::steady_clock::time_point now);

  private:
    void read();
    void wait_readable();
    void read_async();  // transports that cannot wait for readiness (TLS)
    void on_read(std::size_t bytes);
    void process_input();
    // Hands every whole packet in `pending` to the broker; returns the bytes used.
    std::size_t process(std::string_view pending);
    void schedule_flush();
    void flush();
    // The peer went away or the socket failed: tell the broker, then close.
    void lost(broker::CloseReason reason);
    void shutdown_socket();

    std::unique_ptr<Transport> transport_;
    broker::Worker& worker_;
    const broker::BrokerSettings& settings_;
    std::atomic<int>& open_connections_;
    broker::ClientPtr client_;
    std::string address_;  // IP only
    std::string peer_;     // ADDRESS:PORT

    std::string input_;
    std::size_t input_used_ = 0;
    std::string output_;   // gathered during this turn
    std::string writing_;  // being written
    bool writing_now_ = false;
    bool flush_posted_ = false;
    bool closing_ = false;
    bool closed_ = false;

    protocol::ProtocolVersion version_ = protocol::ProtocolVersion::v311;
    std::uint32_t max_outgoing_packet_size_ = 0;  // the client's Maximum Packet Size; 0: none
    std::chrono::milliseconds keepalive_limit_{0};
    std::chrono::steady_clock::time_point last_received_;
    KeepaliveSweep& sweep_;
};

}  // namespace culex::net
