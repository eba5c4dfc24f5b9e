// The bridge's connection to the remote broker, as an MQTT client over the shared transport stack: frames and
// decodes what arrives (protocol's codec), gathers what is sent during a loop turn into one write, and keeps
// the link alive (PINGREQ every keepalive; silence for one and a half keepalives ends it). Lives on one
// event loop; every callback into the bridge runs as a step of that loop.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "net/event_loop.hpp"
#include "net/transport/transport.hpp"
#include "protocol/codec.hpp"
#include "protocol/packets.hpp"

namespace culex::bridge {

class RemoteConnection : public std::enable_shared_from_this<RemoteConnection> {
  public:
    class Owner {
      public:
        virtual ~Owner() = default;
        virtual void on_remote_packet(protocol::Packet&& packet) = 0;
        // The link failed or the remote closed it; `why` for the log. Not called after close().
        virtual void on_remote_lost(std::string why) = 0;
    };

    RemoteConnection(net::EventLoop& loop, std::unique_ptr<net::Transport> transport, Owner& owner,
                     protocol::ProtocolVersion version, std::uint16_t keepalive);

    // Starts reading and the keepalive.
    void start();
    void send(const protocol::Packet& packet);
    void send_delivery(const protocol::Publish& message, const protocol::DeliveryFields& fields);
    // Bytes gathered or being written.
    std::size_t unsent_bytes() const { return output_.size() + writing_.size(); }
    // Writes what is gathered, then closes; the owner hears nothing more.
    void close();

  private:
    void read();
    void on_read(std::size_t bytes);
    void schedule_write();
    void write();
    void lose(std::string why);
    void arm_keepalive();
    void shut();

    net::EventLoop& loop_;
    std::unique_ptr<net::Transport> transport_;
    Owner* owner_;  // null once closed or lost
    protocol::ProtocolVersion version_;
    std::chrono::seconds keepalive_;
    boost::asio::steady_timer keepalive_timer_;
    std::chrono::steady_clock::time_point last_received_;
    std::string input_;
    std::size_t input_used_ = 0;
    std::string output_;   // gathered this turn
    std::string writing_;  // the write in flight
    bool write_scheduled_ = false;
    bool writing_now_ = false;
    bool closing_ = false;
    bool shut_ = false;
};

}  // namespace culex::bridge
