// One client connection on one event loop: reads bytes, splits and decodes packets, hands them to the loop's
// broker core (LoopCore); gathers everything the broker sends in a loop turn into one write; enforces
// keepalive.
//
// Plain TCP goes straight to the socket, its readiness reported by the loop's ReadinessPoller: an idle
// connection then holds no buffer, no pending operation and no Asio state (memory per idle connection is what
// limits a fleet). TLS and WebSockets go through a Transport's asynchronous operations.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "broker/client.hpp"
#include "broker/client_link.hpp"
#include "broker/loop_counters.hpp"
#include "net/output_queue.hpp"
#include "net/readiness_poller.hpp"
#include "net/transport/transport.hpp"

namespace culex::net {

class EventLoop;

// On TLS listeners with use_identity_as_username or use_subject_as_username: the user name the client's
// certificate gives (nullopt: no certificate, or no CN).
struct CertificateLogin {
    bool required = false;
    std::optional<std::string> username;
};

class Connection final : public broker::ClientLink,
                         public ReadinessPoller::Watcher,
                         public std::enable_shared_from_this<Connection> {
  public:
    // Plain TCP: `socket` is a connected, non-blocking descriptor, which the connection now owns.
    Connection(int socket, const boost::asio::ip::tcp::endpoint& peer, EventLoop& loop);
    // A Unix socket listener's: read and written as plain TCP; its address is the listener's path.
    struct UnixPeer {};
    Connection(int socket, UnixPeer, EventLoop& loop);
    // TLS and WebSockets.
    Connection(std::unique_ptr<Transport> transport, EventLoop& loop);
    ~Connection() override;

    // `listener`: the index of the listener it came through, which selects its access policy.
    // `certificate`: on TLS listeners with use_identity_as_username or use_subject_as_username, the user
    // name the client's certificate gives. The loop's ConnectionSet owns the connection from here on.
    void start(int listener, const CertificateLogin& certificate = {});

    // broker::ClientLink
    void send(const protocol::Packet& packet) override;
    void close() override;
    std::string peer() const override;
    bool send_publish(const protocol::Publish& message, const protocol::DeliveryFields& fields) override;
    std::size_t unsent_bytes() const override;
    void set_protocol(protocol::ProtocolVersion version, std::uint16_t keep_alive,
                      std::uint32_t max_packet_size) override;

    // Called by the loop's ConnectionSet at shutdown: as close(), without lingering.
    void close_now();

    // Called by the loop's OutputBatch: writes what was gathered.
    void flush_batched();

    // Called by the loop's ConnectionSet: ends the connection if its keepalive (or, before CONNECT, its
    // connect timeout) ran out. False once the socket is closed: the set may let it go.
    bool check_keepalive(std::chrono::steady_clock::time_point now);

  private:
    // ReadinessPoller::Watcher (plain TCP)
    void on_ready(std::uint32_t events) override;

    void read_socket();  // plain TCP: what is there now, then wait for more
    void read_async();   // TLS, WebSockets
    void on_read(std::size_t bytes);
    void process_input();
    // Hands every whole packet in `pending` to the broker; returns the bytes used.
    std::size_t process(std::string_view pending);
    void schedule_flush();
    // A client that does not read what it is sent is not read from either, until its output is out: so
    // that the answers to its own packets (PUBACK, SUBACK, retained messages) cannot pile up without bound.
    bool pause_input_if_unread();
    void resume_input();
    void flush();
    void write_socket();  // plain TCP: as much as the socket takes now, the rest when it has room
    void write_async();   // TLS, WebSockets
    void after_async_write(const boost::system::error_code& ec);
    // The peer went away or the socket failed: tell the broker, then close.
    void lost();
    // After our last write of a close: shut our side, drain the client's, then close.
    void linger();
    void drain_lingering();
    void shutdown_socket();
    // Counts what the input buffer holds against the loop's budget for connections not logged in; false
    // when that passed the budget and the connection is closing.
    bool account_preauth_input();
    void release_preauth_input();

    // What its listener counts on this loop ($SYS, /metrics). Looked up, not kept: an idle connection carries
    // nothing for it.
    broker::ListenerCounters& counts();

    // Its loop gives the broker core, the settings and the connection count: fewer references to carry in
    // each of many thousands of connections.
    EventLoop& loop_;
    std::unique_ptr<Transport> transport_;  // TLS, WebSockets; null for plain TCP
    broker::ClientPtr client_;

    // The start of a packet whose rest has not come yet (TLS, WebSockets: the read buffer). Null while
    // idle.
    std::unique_ptr<std::string> input_;
    std::string& input() {
        if (!input_) input_ = std::make_unique<std::string>();
        return *input_;
    }
    OutputQueue output_;  // gathered during this turn; plain TCP writes from it directly
    // When bytes last came in; while lingering, when the lingering ends (the keepalive no longer counts).
    std::chrono::steady_clock::time_point last_received_;
    std::uint32_t input_used_ = 0;
    std::uint32_t preauth_held_ = 0;       // input bytes counted in the loop's pre-login budget
    boost::asio::ip::tcp::endpoint peer_;  // 28 bytes where its text would take 32 and often a heap block
    int socket_ = -1;                      // plain TCP
    // One bit each, and the fields ordered so that nothing pads: a connection is 184 bytes, which with
    // make_shared's counts is one 224-byte malloc chunk less than 192 would need (208 vs 224 bytes).
    bool write_pending_ : 1 = false;     // a write is in flight, or waits for room in the socket
    bool waiting_readable_ : 1 = false;  // plain TCP: the next readiness report reads
    bool in_output_batch_ : 1 = false;
    bool closing_ : 1 = false;
    bool closed_ : 1 = false;
    bool lingering_ : 1 = false;     // closing: our side shut, the client's being drained
    bool say_goodbye_ : 1 = false;   // closing with last words to be read: linger after them
    bool input_paused_ : 1 = false;  // its unsent output passed output_buffer_limit: not read until it drains
    bool unix_peer_ : 1 = false;     // came through a Unix socket: peer_ is empty

    protocol::ProtocolVersion version_ = protocol::ProtocolVersion::v311;
    std::uint32_t max_outgoing_packet_size_ = 0;  // the client's Maximum Packet Size; 0: none
    std::uint32_t keepalive_limit_ms_ = 0;        // 0: none
};

}  // namespace culex::net
