// Test fixtures for the sniffer: Ethernet/IPv4/TCP frames of one made-up connection, built with libtins, with
// sequence numbers the test controls (to reorder, duplicate and overlap segments), and a handler that records
// what reassembly delivers.
#pragma once

#include <tins/ethernetII.h>
#include <tins/ip.h>
#include <tins/rawpdu.h>
#include <tins/tcp.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sniff/reassembler.hpp"

namespace culex::sniff::testing {

inline std::string serialize(Tins::PDU& pdu) {
    auto bytes = pdu.serialize();
    return std::string(bytes.begin(), bytes.end());
}

// One TCP connection between 10.0.0.1:client_port and 10.0.0.2:broker_port.
class TcpConversation {
  public:
    TcpConversation(std::uint16_t client_port = 50000, std::uint16_t broker_port = 1883)
        : client_port_(client_port), broker_port_(broker_port) {}

    static constexpr std::uint32_t kClientIsn = 1000;
    static constexpr std::uint32_t kBrokerIsn = 5000;

    // SYN, SYN/ACK, ACK.
    std::vector<std::string> handshake() {
        return {frame(true, kClientIsn, Tins::TCP::SYN, ""),
                frame(false, kBrokerIsn, Tins::TCP::SYN | Tins::TCP::ACK, ""),
                frame(true, kClientIsn + 1, Tins::TCP::ACK, "")};
    }

    // A data segment at relative offset `offset` of its direction's stream (0 is the first data byte).
    std::string data(bool from_client, std::uint32_t offset, std::string_view bytes) {
        std::uint32_t isn = from_client ? kClientIsn : kBrokerIsn;
        return frame(from_client, isn + 1 + offset, Tins::TCP::ACK | Tins::TCP::PSH, bytes);
    }

    std::string fin(bool from_client, std::uint32_t offset) {
        std::uint32_t isn = from_client ? kClientIsn : kBrokerIsn;
        return frame(from_client, isn + 1 + offset, Tins::TCP::FIN | Tins::TCP::ACK, "");
    }

    std::string frame(bool from_client, std::uint32_t seq, std::uint16_t flags, std::string_view bytes,
                      const std::vector<Tins::TCP::option>& options = {}) {
        Tins::EthernetII ethernet;
        Tins::IP ip(from_client ? "10.0.0.2" : "10.0.0.1", from_client ? "10.0.0.1" : "10.0.0.2");
        Tins::TCP tcp(from_client ? broker_port_ : client_port_, from_client ? client_port_ : broker_port_);
        tcp.seq(seq);
        tcp.flags(flags);
        if (flags & Tins::TCP::ACK) tcp.ack_seq(from_client ? kBrokerIsn + 1 : kClientIsn + 1);
        for (const auto& option : options)
            tcp.add_option(option);
        // operator/ copies its left side: keep the stacked frame by value, then append the payload to it.
        Tins::EthernetII stacked = ethernet / ip / tcp;
        if (!bytes.empty())
            stacked /= Tins::RawPDU(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                    static_cast<std::uint32_t>(bytes.size()));
        return serialize(stacked);
    }

  private:
    std::uint16_t client_port_;
    std::uint16_t broker_port_;
};

// Records what the reassembler delivers, per connection and direction.
class RecordingHandler : public StreamHandler {
  public:
    struct Seen {
        Endpoints endpoints;
        std::string to_broker;
        std::string to_client;
        std::vector<CloseReason> closes;
    };

    void on_open(ConnectionId id, const Endpoints& endpoints, Micros) override {
        seen[id].endpoints = endpoints;
    }
    bool on_data(ConnectionId id, Direction direction, std::string_view bytes, Micros) override {
        (direction == Direction::to_broker ? seen[id].to_broker : seen[id].to_client).append(bytes);
        return true;
    }
    void on_close(ConnectionId id, CloseReason reason, Micros) override { seen[id].closes.push_back(reason); }

    std::map<ConnectionId, Seen> seen;
};

}  // namespace culex::sniff::testing
