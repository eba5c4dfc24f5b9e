#include "sniff/reassembler.hpp"

#include <fmt/format.h>
#include <tins/exceptions.h>
#include <tins/ip.h>
#include <tins/ipv6.h>
#include <tins/packet.h>
#include <tins/tcp.h>
#include <tins/tcp_ip/stream_follower.h>

#include <algorithm>
#include <unordered_map>

#include "sniff/link_layer.hpp"

namespace culex::sniff {

namespace {

constexpr std::uint8_t kIpProtocolTcp = 6;

std::string endpoint_text(const Tins::TCPIP::Stream& stream, bool client) {
    if (stream.is_v6()) {
        auto address = client ? stream.client_addr_v6() : stream.server_addr_v6();
        return fmt::format("[{}]:{}", address.to_string(),
                           client ? stream.client_port() : stream.server_port());
    }
    auto address = client ? stream.client_addr_v4() : stream.server_addr_v4();
    return fmt::format("{}:{}", address.to_string(), client ? stream.client_port() : stream.server_port());
}

// Cheap checks before libtins builds objects for the frame: TCP only, no IPv4 fragments.
bool worth_parsing(const IpPacket& ip) {
    if (ip.version == 6) return ip.bytes.size() >= 40;
    if (ip.bytes.size() < 20) return false;
    auto protocol = static_cast<std::uint8_t>(ip.bytes[9]);
    auto fragment = (static_cast<std::uint8_t>(ip.bytes[6]) << 8) | static_cast<std::uint8_t>(ip.bytes[7]);
    bool more_fragments = fragment & 0x2000;
    bool offset = fragment & 0x1FFF;
    return protocol == kIpProtocolTcp && !more_fragments && !offset;
}

}  // namespace

struct Reassembler::Impl {
    Impl(StreamHandler& handler, std::vector<std::uint16_t> ports, ReassemblyStats& stats)
        : handler(handler), broker_ports(ports.begin(), ports.end()), stats(stats) {
        follower.follow_partial_streams(true);
        follower.new_stream_callback([this](Tins::TCPIP::Stream& stream) { on_new_stream(stream); });
        follower.stream_termination_callback(
            [this](Tins::TCPIP::Stream& stream, Tins::TCPIP::StreamFollower::TerminationReason reason) {
                auto found = ids.find(&stream);
                if (found == ids.end()) return;
                auto why = reason == Tins::TCPIP::StreamFollower::TIMEOUT ? CloseReason::timed_out
                                                                          : CloseReason::gave_up;
                close(found->second, why, stream.last_seen(), &stream);
            });
    }

    bool is_broker_port(std::uint16_t port) const { return broker_ports.contains(port); }

    void on_new_stream(Tins::TCPIP::Stream& stream) {
        ConnectionId id = ++last_id;
        ++stats.connections;
        // libtins calls the SYN's sender (or, joining late, the first sender) the client; the ports know
        // better.
        bool swap = !broker_ports.empty() && !is_broker_port(stream.server_port()) &&
                    is_broker_port(stream.client_port());
        Endpoints endpoints{endpoint_text(stream, !swap), endpoint_text(stream, swap),
                            swap ? stream.client_port() : stream.server_port(), stream.is_partial_stream()};
        ids[&stream] = id;
        open.emplace(id, &stream);
        handler.on_open(id, endpoints, stream.create_time());

        auto from_client = swap ? Direction::to_client : Direction::to_broker;
        auto from_server = swap ? Direction::to_broker : Direction::to_client;
        stream.client_data_callback([this, id, from_client](Tins::TCPIP::Stream& s) {
            deliver(s, id, from_client, s.client_payload());
        });
        stream.server_data_callback([this, id, from_server](Tins::TCPIP::Stream& s) {
            deliver(s, id, from_server, s.server_payload());
        });
        stream.stream_closed_callback(
            [this, id](Tins::TCPIP::Stream& s) { close(id, CloseReason::closed, s.last_seen(), &s); });
    }

    void deliver(Tins::TCPIP::Stream& stream, ConnectionId id, Direction direction,
                 const std::vector<std::uint8_t>& payload) {
        std::string_view bytes(reinterpret_cast<const char*>(payload.data()), payload.size());
        if (!handler.on_data(id, direction, bytes, stream.last_seen())) {
            stream.ignore_client_data();
            stream.ignore_server_data();
        }
    }

    void close(ConnectionId id, CloseReason reason, Micros time, Tins::TCPIP::Stream* stream) {
        if (open.erase(id) == 0) return;
        ids.erase(stream);
        handler.on_close(id, reason, time);
    }

    StreamHandler& handler;
    std::unordered_set<std::uint16_t> broker_ports;
    ReassemblyStats& stats;
    Tins::TCPIP::StreamFollower follower;
    ConnectionId last_id = 0;
    std::unordered_map<const Tins::TCPIP::Stream*, ConnectionId> ids;
    std::unordered_map<ConnectionId, Tins::TCPIP::Stream*> open;
};

Reassembler::Reassembler(StreamHandler& handler, std::vector<std::uint16_t> broker_ports)
    : impl_(std::make_unique<Impl>(handler, std::move(broker_ports), stats_)) {}

Reassembler::~Reassembler() = default;

void Reassembler::feed(int link_type, std::string_view frame, Micros time) {
    ++stats_.frames;
    auto ip = find_ip_packet(link_type, frame);
    if (!ip || !worth_parsing(*ip)) {
        ++stats_.skipped;
        return;
    }
    bool counted = false;
    try {
        const auto* data = reinterpret_cast<const std::uint8_t*>(ip->bytes.data());
        auto size = static_cast<std::uint32_t>(ip->bytes.size());
        Tins::PDU* pdu = ip->version == 4 ? static_cast<Tins::PDU*>(new Tins::IP(data, size))
                                          : static_cast<Tins::PDU*>(new Tins::IPv6(data, size));
        Tins::Packet packet(pdu, Tins::Timestamp(time), Tins::Packet::own_pdu());
        if (!packet.pdu()->find_pdu<Tins::TCP>()) {
            ++stats_.skipped;
            return;
        }
        ++stats_.tcp_segments;
        counted = true;
        impl_->follower.process_packet(packet);
    } catch (const Tins::exception_base&) {
        // A header that does not parse: garbage is skipped, never fatal. libtins also throws from inside the
        // follower after taking a segment in (a SYN whose MSS option is not 2 bytes long): that frame is
        // counted once, as the segment it was.
        if (!counted) ++stats_.skipped;
    }
}

void Reassembler::finish(Micros time) {
    // Close in the order the connections opened, so that verdicts come out in a stable order.
    std::vector<ConnectionId> still_open;
    for (const auto& [id, stream] : impl_->open)
        still_open.push_back(id);
    std::sort(still_open.begin(), still_open.end());
    for (ConnectionId id : still_open) {
        auto stream = impl_->open[id];
        impl_->close(id, CloseReason::end_of_capture, time, stream);
    }
}

}  // namespace culex::sniff
