// The bridge's local side: a broker::ClientLink with no socket behind it. The broker core sees an ordinary
// client (CONNECT, SUBSCRIBE, PUBLISH arrive through LoopCore::handle_packet, like a Connection's), and
// everything the core sends that client (CONNACK, acknowledgements, deliveries) goes to the bridge instead
// of a socket. So the bridge's local session gets the core's own QoS flows, queue limits and persistence.
#pragma once

#include <string>

#include "broker/client_link.hpp"

namespace culex::bridge {

class LocalLink final : public broker::ClientLink {
  public:
    class Owner {
      public:
        virtual ~Owner() = default;
        virtual void on_local_packet(const protocol::Packet& packet) = 0;
        virtual bool on_local_delivery(const protocol::Publish& message,
                                       const protocol::DeliveryFields& fields) = 0;
        virtual std::size_t remote_unsent_bytes() const = 0;
        // The broker ended the local connection (shutdown, or another client took the id over).
        virtual void on_local_closed() = 0;
    };

    LocalLink(Owner& owner, std::string name) : owner_(&owner), name_(std::move(name)) {}

    // The bridge is going away: nothing reaches it from now.
    void detach() { owner_ = nullptr; }

    void send(const protocol::Packet& packet) override {
        if (owner_) owner_->on_local_packet(packet);
    }
    void close() override {
        if (auto* owner = owner_) {
            owner_ = nullptr;
            owner->on_local_closed();
        }
    }
    std::string peer() const override { return "bridge " + name_; }
    bool send_publish(const protocol::Publish& message, const protocol::DeliveryFields& fields) override {
        return owner_ ? owner_->on_local_delivery(message, fields) : true;
    }
    std::size_t unsent_bytes() const override { return owner_ ? owner_->remote_unsent_bytes() : 0; }
    void set_protocol(protocol::ProtocolVersion, std::uint16_t, std::uint32_t) override {}

  private:
    Owner* owner_;
    std::string name_;
};

}  // namespace culex::bridge
