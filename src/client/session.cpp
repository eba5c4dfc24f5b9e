#include "client/session.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "client/debug_lines.hpp"
#include "client/reason_text.hpp"
#include "protocol/codec.hpp"
#include "protocol/topic.hpp"

namespace culex::client {

using namespace culex::protocol;

namespace {

Error protocol_violation(std::string what) {
    return Error{ErrorKind::protocol, fmt::format("Protocol error from the broker: {}.", what)};
}

std::chrono::seconds keep_alive_of(const SessionOptions& options) {
    return std::chrono::seconds(options.keep_alive);
}

}  // namespace

Session::Session(SessionOptions options) : options_(std::move(options)) {}

void Session::connection_opened(Clock::time_point now) {
    input_.clear();
    output_.clear();
    ping_sent_.reset();
    incoming_aliases_.clear();
    server_receive_maximum_ = 65535;
    server_maximum_packet_size_.reset();
    server_maximum_qos_ = 2;
    state_ = SessionState::connecting;
    connect_sent_ = now;

    Connect connect;
    connect.version = options_.version;
    connect.clean_start = options_.clean_session;
    connect.keep_alive = options_.keep_alive;
    connect.client_id = options_.client_id;
    connect.username = options_.username;
    connect.password = options_.password;
    connect.will = options_.will;
    if (options_.version == ProtocolVersion::v5) connect.properties = options_.connect_properties;
    send(connect, now);
}

void Session::connection_closed() {
    state_ = SessionState::offline;
    input_.clear();
    output_.clear();
    ping_sent_.reset();
    // Their acknowledgements died with the connection; the caller subscribes again on the next Connected.
    pending_subscribes_.clear();
    pending_unsubscribes_.clear();
}

std::expected<void, Error> Session::receive(std::string_view bytes, Clock::time_point now) {
    input_.append(bytes);
    std::size_t consumed = 0;
    std::expected<void, Error> result;
    while (state_ != SessionState::offline) {
        auto frame = next_frame(std::string_view(input_).substr(consumed));
        if (!frame) {
            result = std::unexpected(protocol_violation(frame.error().message));
            break;
        }
        if (!*frame) break;
        auto packet = decode(**frame, options_.version);
        consumed += (*frame)->size;
        if (!packet) {
            result = std::unexpected(protocol_violation(packet.error().message));
            break;
        }
        result = handle(std::move(*packet), now);
        if (!result) break;
    }
    input_.erase(0, consumed);
    return result;
}

std::expected<void, Error> Session::handle(Packet packet, Clock::time_point now) {
    if (debug_) describe_received(options_.client_id, packet, options_.version, debug_);
    auto type = type_of(packet);
    if (state_ == SessionState::connecting && type != PacketType::connack) {
        return std::unexpected(
            protocol_violation(fmt::format("expected CONNACK, received {}", to_string(type))));
    }
    switch (type) {
        case PacketType::connack:
            return handle_connack(std::get<Connack>(packet), now);
        case PacketType::publish:
            return handle_publish(std::move(std::get<Publish>(packet)), now);
        case PacketType::puback: {
            const auto& ack = std::get<Puback>(packet);
            return handle_ack(type, ack.packet_id, ack.reason, now);
        }
        case PacketType::pubrec: {
            const auto& ack = std::get<Pubrec>(packet);
            return handle_ack(type, ack.packet_id, ack.reason, now);
        }
        case PacketType::pubrel: {
            const auto& ack = std::get<Pubrel>(packet);
            return handle_ack(type, ack.packet_id, ack.reason, now);
        }
        case PacketType::pubcomp: {
            const auto& ack = std::get<Pubcomp>(packet);
            return handle_ack(type, ack.packet_id, ack.reason, now);
        }
        case PacketType::suback: {
            auto& suback = std::get<Suback>(packet);
            if (pending_subscribes_.erase(suback.packet_id) == 1) {
                events_.push_back(events::Subscribed{suback.packet_id, std::move(suback.reasons)});
            }
            return {};
        }
        case PacketType::unsuback: {
            const auto& unsuback = std::get<Unsuback>(packet);
            if (pending_unsubscribes_.erase(unsuback.packet_id) == 1) {
                events_.push_back(events::Unsubscribed{unsuback.packet_id});
            }
            return {};
        }
        case PacketType::pingresp:
            ping_sent_.reset();
            return {};
        case PacketType::disconnect: {
            const auto& d = std::get<Disconnect>(packet);
            std::string why(reason_text(d.reason));
            if (d.properties.reason_string) why += fmt::format(" ({})", *d.properties.reason_string);
            return std::unexpected(
                Error{ErrorKind::server_disconnect, fmt::format("The broker disconnected: {}.", why)});
        }
        default:
            return std::unexpected(
                protocol_violation(fmt::format("a broker must not send {}", to_string(type))));
    }
}

std::expected<void, Error> Session::handle_connack(const Connack& connack, Clock::time_point now) {
    if (state_ != SessionState::connecting) return std::unexpected(protocol_violation("a second CONNACK"));
    if (connack.reason != ReasonCode::success) {
        int code = options_.version == ProtocolVersion::v5
                       ? static_cast<int>(connack.reason)
                       : static_cast<int>(to_connect_return_code(connack.reason));
        events_.push_back(events::Refused{connack.reason, code});
        state_ = SessionState::offline;
        return {};
    }
    state_ = SessionState::connected;
    if (options_.version == ProtocolVersion::v5) {
        const auto& p = connack.properties;
        if (p.receive_maximum) server_receive_maximum_ = *p.receive_maximum;
        server_maximum_packet_size_ = p.maximum_packet_size;
        if (p.maximum_qos) server_maximum_qos_ = *p.maximum_qos;
    }
    events_.push_back(events::Connected{connack.session_present, connack.properties});
    resume_after_connack(connack.session_present, now);
    return {};
}

void Session::resume_after_connack(bool session_present, Clock::time_point now) {
    std::vector<Outgoing*> in_flight_now;
    for (auto& [id, message] : outgoing_) {
        if (message.stage != OutStage::queued) in_flight_now.push_back(&message);
    }
    std::sort(in_flight_now.begin(), in_flight_now.end(),
              [](const Outgoing* a, const Outgoing* b) { return a->sequence < b->sequence; });

    if (session_present) {
        // Spec 4.4: resend unacknowledged PUBLISH (DUP set) and PUBREL, in their original order.
        for (auto* message : in_flight_now) {
            if (message->stage == OutStage::await_pubcomp) {
                send(Pubrel{message->publish.packet_id}, now);
            } else {
                message->publish.dup = true;
                send(message->publish, now);
            }
        }
    } else {
        // A new session on the broker: a message it released (PUBREC seen) is delivered; the rest start over.
        std::vector<std::uint16_t> requeue;
        for (auto* message : in_flight_now) {
            auto id = message->publish.packet_id;
            if (message->stage == OutStage::await_pubcomp) {
                events_.push_back(events::Published{id, ReasonCode::success});
                outgoing_.erase(id);
            } else {
                message->stage = OutStage::queued;
                message->publish.dup = false;
                requeue.push_back(id);
            }
        }
        queue_.insert(queue_.begin(), requeue.begin(), requeue.end());
        incoming_qos2_.clear();
    }
    while (!offline_qos0_.empty()) {
        auto mid = offline_qos0_.front().packet_id;
        send(offline_qos0_.front(), now);
        offline_qos0_.pop_front();
        events_.push_back(events::Published{mid, ReasonCode::success});
    }
    fill_window(now);
}

std::expected<void, Error> Session::handle_publish(Publish publish, Clock::time_point now) {
    if (auto alias = publish.properties->topic_alias; alias && options_.version == ProtocolVersion::v5) {
        // Spec 3.3.2.3.4: an alias up to the Topic Alias Maximum we announced; a topic sets it, none uses it.
        auto maximum = options_.connect_properties.topic_alias_maximum.value_or(0);
        if (*alias == 0 || *alias > maximum) {
            return std::unexpected(
                protocol_violation(fmt::format("topic alias {} beyond our maximum of {}", *alias, maximum)));
        }
        if (!publish.topic.empty()) {
            incoming_aliases_[*alias] = publish.topic;
        } else if (auto it = incoming_aliases_.find(*alias); it != incoming_aliases_.end()) {
            publish.topic = it->second;
        } else {
            return std::unexpected(protocol_violation(fmt::format("unknown topic alias {}", *alias)));
        }
    }
    switch (publish.qos) {
        case QoS::at_most_once:
            events_.push_back(events::Message{std::move(publish)});
            break;
        case QoS::at_least_once: {
            auto id = publish.packet_id;
            events_.push_back(events::Message{std::move(publish)});
            send(Puback{id}, now);
            break;
        }
        case QoS::exactly_once: {
            // Held until PUBREL, as libmosquitto does: a DUP of a message not yet released is not delivered
            // twice.
            auto id = publish.packet_id;
            incoming_qos2_.try_emplace(id, std::move(publish));
            send(Pubrec{id}, now);
            break;
        }
    }
    return {};
}

std::expected<void, Error> Session::handle_ack(PacketType type, std::uint16_t id, ReasonCode reason,
                                               Clock::time_point now) {
    if (type == PacketType::pubrel) {
        if (auto it = incoming_qos2_.find(id); it != incoming_qos2_.end()) {
            events_.push_back(events::Message{std::move(it->second)});
            incoming_qos2_.erase(it);
        }
        send(Pubcomp{id}, now);
        return {};
    }
    auto it = outgoing_.find(id);
    if (type == PacketType::pubrec) {
        if (it == outgoing_.end() || it->second.stage == OutStage::queued) {
            // Not ours (any more): release it anyway so the broker can forget it.
            Pubrel rel{id};
            if (options_.version == ProtocolVersion::v5) rel.reason = ReasonCode::packet_identifier_not_found;
            send(rel, now);
            return {};
        }
        if (it->second.stage == OutStage::await_puback) {
            return std::unexpected(protocol_violation(fmt::format("PUBREC for QoS 1 message {}", id)));
        }
        if (options_.version == ProtocolVersion::v5 && is_error(reason)) {
            outgoing_.erase(it);
            events_.push_back(events::Published{id, reason});
            fill_window(now);
            return {};
        }
        it->second.stage = OutStage::await_pubcomp;
        send(Pubrel{id}, now);
        return {};
    }
    auto expected_stage = type == PacketType::puback ? OutStage::await_puback : OutStage::await_pubcomp;
    if (it == outgoing_.end() || it->second.stage != expected_stage) return {};  // late duplicate: harmless
    outgoing_.erase(it);
    events_.push_back(events::Published{id, reason});
    fill_window(now);
    return {};
}

std::expected<void, Error> Session::on_timer(Clock::time_point now) {
    if (state_ == SessionState::connecting) {
        if (now >= connect_sent_ + options_.connect_timeout) {
            return std::unexpected(Error{
                ErrorKind::timeout,
                fmt::format(
                    "The broker did not answer CONNECT within {} seconds.",
                    std::chrono::duration_cast<std::chrono::seconds>(options_.connect_timeout).count())});
        }
        return {};
    }
    if (state_ != SessionState::connected || options_.keep_alive == 0) return {};
    auto keep_alive = keep_alive_of(options_);
    if (ping_sent_) {
        if (now >= *ping_sent_ + keep_alive) {
            return std::unexpected(Error{ErrorKind::keepalive,
                                         "The broker did not answer PINGREQ within the keepalive interval."});
        }
        return {};
    }
    if (now >= last_sent_ + keep_alive) {
        send(Pingreq{}, now);
        ping_sent_ = now;
    }
    return {};
}

std::optional<Clock::time_point> Session::deadline() const {
    if (state_ == SessionState::connecting) return connect_sent_ + options_.connect_timeout;
    if (state_ != SessionState::connected || options_.keep_alive == 0) return std::nullopt;
    return (ping_sent_ ? *ping_sent_ : last_sent_) + keep_alive_of(options_);
}

std::expected<std::uint16_t, Error> Session::publish(Publish message, Clock::time_point now) {
    bool aliased = options_.version == ProtocolVersion::v5 && message.properties->topic_alias;
    if (!(aliased && message.topic.empty()) && !is_valid_topic_name(message.topic)) {
        return std::unexpected(
            Error{ErrorKind::usage,
                  fmt::format("Invalid publish topic '{}', does it contain '+' or '#'?", message.topic)});
    }
    message.dup = false;
    if (static_cast<int>(message.qos) > server_maximum_qos_) {
        return std::unexpected(
            Error{ErrorKind::usage, "Message QoS not supported on broker, try a lower QoS."});
    }
    if (server_maximum_packet_size_) {
        std::string encoded;
        message.packet_id = 1;
        encode(message, options_.version, encoded);
        if (encoded.size() > *server_maximum_packet_size_) {
            return std::unexpected(Error{
                ErrorKind::usage,
                fmt::format("Packet larger than supported by the server ({} bytes, the broker's Maximum "
                            "Packet Size is {}).",
                            encoded.size(), *server_maximum_packet_size_)});
        }
    }
    if (message.qos == QoS::at_most_once) {
        // QoS 0 takes a message id from the same counter, as libmosquitto's do, but reserves nothing.
        if (++last_id_ == 0) last_id_ = 1;
        message.packet_id = last_id_;
        auto mid = message.packet_id;
        if (state_ == SessionState::connected) {
            send(message, now);
            events_.push_back(events::Published{mid, ReasonCode::success});
        } else {
            offline_qos0_.push_back(std::move(message));
        }
        return mid;
    }
    auto id = allocate_id();
    if (!id) {
        return std::unexpected(
            Error{ErrorKind::resource, "Every packet identifier is in use: wait for acknowledgements."});
    }
    message.packet_id = *id;
    outgoing_.emplace(*id, Outgoing{std::move(message), OutStage::queued, next_sequence_++});
    queue_.push_back(*id);
    if (state_ == SessionState::connected) fill_window(now);
    return *id;
}

std::expected<std::uint16_t, Error> Session::subscribe(std::vector<Subscription> subscriptions,
                                                       Properties properties, Clock::time_point now) {
    if (state_ != SessionState::connected) {
        return std::unexpected(Error{ErrorKind::not_connected, "Not connected to the broker."});
    }
    if (subscriptions.empty()) return std::unexpected(Error{ErrorKind::usage, "SUBSCRIBE needs a topic."});
    auto id = allocate_id();
    if (!id) return std::unexpected(Error{ErrorKind::resource, "Every packet identifier is in use."});
    pending_subscribes_.insert(*id);
    Subscribe packet{*id, std::move(subscriptions), std::move(properties)};
    send(packet, now);
    return *id;
}

std::expected<std::uint16_t, Error> Session::unsubscribe(std::vector<std::string> filters,
                                                         Properties properties, Clock::time_point now) {
    if (state_ != SessionState::connected) {
        return std::unexpected(Error{ErrorKind::not_connected, "Not connected to the broker."});
    }
    if (filters.empty()) return std::unexpected(Error{ErrorKind::usage, "UNSUBSCRIBE needs a topic."});
    auto id = allocate_id();
    if (!id) return std::unexpected(Error{ErrorKind::resource, "Every packet identifier is in use."});
    pending_unsubscribes_.insert(*id);
    Unsubscribe packet{*id, std::move(filters), std::move(properties)};
    send(packet, now);
    return *id;
}

void Session::disconnect(Clock::time_point now) {
    if (state_ != SessionState::connected && state_ != SessionState::connecting) return;
    Disconnect packet;
    if (options_.version == ProtocolVersion::v5) packet.properties = options_.disconnect_properties;
    send(packet, now);
    state_ = SessionState::disconnecting;
}

std::string Session::take_output() {
    std::string out;
    out.swap(output_);
    return out;
}

std::vector<Event> Session::take_events() {
    std::vector<Event> out;
    out.swap(events_);
    return out;
}

void Session::send(const Packet& packet, Clock::time_point now) {
    if (debug_) describe_sent(options_.client_id, packet, options_.version, debug_);
    encode(packet, options_.version, output_);
    last_sent_ = now;
}

void Session::fill_window(Clock::time_point now) {
    while (!queue_.empty() && in_flight() < window()) {
        auto id = queue_.front();
        queue_.pop_front();
        auto& message = outgoing_.at(id);
        message.stage =
            message.publish.qos == QoS::at_least_once ? OutStage::await_puback : OutStage::await_pubrec;
        send(message.publish, now);
    }
}

std::size_t Session::window() const {
    std::size_t window = options_.max_inflight;
    if (options_.version == ProtocolVersion::v5)
        window = std::min<std::size_t>(window, server_receive_maximum_);
    return std::max<std::size_t>(window, 1);
}

std::size_t Session::in_flight() const {
    return outgoing_.size() - queue_.size();
}

bool Session::id_in_use(std::uint16_t id) const {
    return outgoing_.contains(id) || pending_subscribes_.contains(id) || pending_unsubscribes_.contains(id);
}

std::optional<std::uint16_t> Session::allocate_id() {
    for (std::uint32_t tries = 0; tries < 65535; ++tries) {
        if (++last_id_ == 0) last_id_ = 1;
        if (!id_in_use(last_id_)) return last_id_;
    }
    return std::nullopt;
}

}  // namespace culex::client
