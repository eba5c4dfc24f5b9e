// The receive half of a Worker: reads as much as the socket holds with one recv() (over TLS: with
// read-ahead, one recv() and an SSL_read per record) and walks the frames in place, answers what the broker
// sends (CONNACK, SUBACK, acknowledgements), and counts what arrived per publisher. Nothing allocates per
// message.
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "bench/worker_connection.hpp"

namespace culex::bench {

namespace {

// The Packet Identifier that starts a PUBREC's or PUBREL's body; 0 for a body too short to hold one.
std::uint16_t packet_id_of(const protocol::Frame& frame) {
    return static_cast<std::uint16_t>(frame.body.size() >= 2
                                          ? (static_cast<unsigned char>(frame.body[0]) << 8) |
                                                static_cast<unsigned char>(frame.body[1])
                                          : 0);
}

}  // namespace

void Worker::read_all(Connection& c, std::int64_t now) {
    for (;;) {
        std::size_t carried = c.carry.size();
        if (scratch_.size() < carried * 2) scratch_.resize(carried * 2);
        std::memcpy(scratch_.data(), c.carry.data(), carried);
        std::size_t room = scratch_.size() - carried;
        char* into = scratch_.data() + carried;
        ReadOutcome r = c.tls ? c.tls->read(into, room) : read_socket(c.fd.get(), into, room);
        if (r.bytes != 0) {
            now = now_ns();  // the latency ends when the bytes are ours, not when the loop woke
            std::string_view stream(scratch_.data(), carried + r.bytes);
            while (!stream.empty()) {
                auto frame = protocol::next_frame(stream);
                if (!frame) return lost(c, "malformed packet from the broker: " + frame.error().message);
                if (!*frame) break;
                if (!on_frame(c, **frame, now)) return;
                stream.remove_prefix((*frame)->size);
            }
            c.carry.assign(stream);
        }
        if (r.end == ReadOutcome::End::closed) return lost(c, "the broker closed the connection");
        if (r.end == ReadOutcome::End::failed) return lost(c, c.tls ? c.tls->failure() : errno_text(r.error));
        // Drained: a plain socket returned less than it had room for, a TLS one has no whole record left;
        // either way, a new edge reports what comes next.
        if (r.end == ReadOutcome::End::drained) break;
    }
    // At a fixed rate, acknowledge at once what arrived. A broker that leaves Nagle's algorithm on
    // (Mosquitto's default, set_tcp_nodelay false) holds each small PUBLISH until the previous one is
    // acknowledged; Linux's delayed ACK would then add up to 40 ms per message, a property of this client,
    // not of the broker. Flat out, where the figure is throughput, delayed ACKs let such a broker coalesce
    // its writes: quick-ACKing each small segment cost this generator 4 times the CPU against Mosquitto.
    if (state_.options.rate > 0) {
        int one = 1;
        setsockopt(c.fd.get(), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    }
    if (c.role == Role::subscriber) flush_deliveries(c);
    if (!c.out.empty() && !c.write_blocked) flush(c, now);
}

void Worker::flush_deliveries(Connection& c) {
    if (received_ != counters.received.load(std::memory_order_relaxed)) {
        counters.received.store(received_, std::memory_order_relaxed);
        counters.last_receive_ns.store(now_ns(), std::memory_order_relaxed);
    }
    for (unsigned i : c.touched) {
        PublisherSlot& slot = *state_.publishers[c.first_publisher + i];
        slot.delivered.fetch_add(c.pending[i]);
        c.pending[i] = 0;
        if (slot.worker != index_ && slot.waiting.load() && slot.waiting.exchange(false))
            state_.workers[slot.worker]->wake();
    }
    c.touched.clear();
}

void Worker::on_publish(Connection& c, const protocol::Frame& frame, std::int64_t now) {
    auto view = peek_publish(frame, state_.options.version);
    if (!view) return lost(c, "malformed PUBLISH from the broker");
    ++received_;
    if (view->qos == protocol::QoS::at_least_once)
        append_ack(c.out, protocol::PacketType::puback, view->packet_id);
    else if (view->qos == protocol::QoS::exactly_once)
        append_ack(c.out, protocol::PacketType::pubrec, view->packet_id);
    auto stamp = read_stamp(view->payload);
    if (!stamp) {
        ++foreign_;
        return;
    }
    if (now >= stamp->sent_ns) latency_.record(static_cast<std::uint64_t>(now - stamp->sent_ns));
    if (stamp->publisher < c.first_publisher || stamp->publisher - c.first_publisher >= c.streams.size()) {
        if (!c.streams.empty()) ++foreign_;
        return;
    }
    unsigned i = stamp->publisher - c.first_publisher;
    c.streams[i].record(stamp->sequence);
    if (c.pending[i]++ == 0) c.touched.push_back(i);
}

bool Worker::on_frame(Connection& c, const protocol::Frame& frame, std::int64_t now) {
    using protocol::PacketType;
    auto acked = [&] {
        if (c.unacked == 0) return;
        --c.unacked;
        --unacked_;
        counters.unacked.store(unacked_, std::memory_order_relaxed);
    };
    switch (frame.type()) {
        case PacketType::publish:
            on_publish(c, frame, now);
            break;
        case PacketType::puback:
        case PacketType::pubcomp:
            acked();
            break;
        case PacketType::pubrec:
            append_ack(c.out, PacketType::pubrel, packet_id_of(frame));
            break;
        case PacketType::pubrel:
            append_ack(c.out, PacketType::pubcomp, packet_id_of(frame));
            break;
        case PacketType::connack: {
            auto packet = protocol::decode(frame, state_.options.version);
            if (!packet) {
                lost(c, "malformed CONNACK: " + packet.error().message);
                return false;
            }
            const auto& connack = std::get<protocol::Connack>(*packet);
            if (protocol::is_error(connack.reason)) {
                state_.failed.fetch_add(1);
                --connecting_;
                c.state = ConnState::closed;
                c.close();
                state_.fail(
                    fmt::format("the broker refused the connection: {} (check the broker's "
                                "allow_anonymous, or give -u and -P)",
                                protocol::to_string(connack.reason)));
                return false;
            }
            // An MQTT 5 broker may allow fewer unacknowledged QoS 1/2 PUBLISHes than our window.
            if (connack.properties.receive_maximum && state_.options.qos != protocol::QoS::at_most_once)
                c.window = std::min<unsigned>(c.window, *connack.properties.receive_maximum);
            if (c.role == Role::subscriber) {
                protocol::Subscribe subscribe;
                subscribe.packet_id = 1;
                subscribe.subscriptions.push_back({c.filter, state_.options.qos});
                protocol::encode(protocol::Packet{std::move(subscribe)}, state_.options.version, c.out);
                c.state = ConnState::suback;
            } else {
                mark_ready(c);
            }
            break;
        }
        case PacketType::suback: {
            auto packet = protocol::decode(frame, state_.options.version);
            if (!packet) {
                lost(c, "malformed SUBACK: " + packet.error().message);
                return false;
            }
            const auto& suback = std::get<protocol::Suback>(*packet);
            if (suback.reasons.empty() || protocol::is_error(suback.reasons.front())) {
                state_.fail(fmt::format("the broker refused the subscription to {}: {}", c.filter,
                                        suback.reasons.empty()
                                            ? std::string_view("no reason code")
                                            : protocol::to_string(suback.reasons.front())));
                return false;
            }
            mark_ready(c);
            break;
        }
        case PacketType::disconnect: {
            auto packet = protocol::decode(frame, state_.options.version);
            std::string why = "the broker sent DISCONNECT";
            if (packet)
                why +=
                    fmt::format(" ({})", protocol::to_string(std::get<protocol::Disconnect>(*packet).reason));
            lost(c, why);
            return false;
        }
        default:
            break;  // PINGRESP, and whatever else a broker may send that a load generator can ignore
    }
    return c.state != ConnState::closed;
}

}  // namespace culex::bench
