#include "bridge/bridge.hpp"

#include <algorithm>

#include "bridge/bridge_tls.hpp"
#include "bridge/outgoing.hpp"
#include "bridge/topic_map.hpp"
#include "log/logger.hpp"
#include "protocol/topic.hpp"

namespace culex::bridge {

using culex::log::logger;
using culex::log::LogType;
using namespace culex::protocol;

namespace {

constexpr std::uint32_t kSessionNeverExpires = 0xFFFFFFFF;

std::string_view refusal_words(ReasonCode reason) {
    // Mosquitto's words for a refused bridge CONNECT (3.1.1 return codes; MQTT 5 codes map onto them).
    switch (reason) {
        case ReasonCode::unsupported_protocol_version:
            return "unacceptable protocol version";
        case ReasonCode::client_identifier_not_valid:
            return "identifier rejected";
        case ReasonCode::server_unavailable:
        case ReasonCode::server_busy:
            return "broker unavailable";
        case ReasonCode::bad_username_or_password:
            return "bad user name or password";
        case ReasonCode::not_authorized:
            return "not authorised";
        default:
            return to_string(reason);
    }
}

}  // namespace

Bridge::Bridge(config::BridgeConfig config, net::EventLoop& loop, tls::ClientContextPtr tls,
               std::chrono::seconds sys_interval)
    : config_(std::move(config)),
      loop_(loop),
      link_(*this, config_.name),
      routes_(config_.topics.begin(), config_.topics.end()),
      connector_(make_bridge_connector(loop.context(), config_.name, std::move(tls))),
      restart_timer_(loop.context()),
      restart_delay_(std::chrono::seconds(config_.restart_base_seconds),
                     config_.restart_cap_seconds
                         ? std::optional(std::chrono::seconds(*config_.restart_cap_seconds))
                         : std::nullopt),
      watch_timer_(loop.context()),
      sys_interval_(sys_interval) {}

Bridge::~Bridge() {
    link_.detach();
    stop_remote();
}

ProtocolVersion Bridge::remote_version() const {
    switch (config_.protocol) {
        case config::BridgeProtocol::mqttv31:
            return ProtocolVersion::v31;
        case config::BridgeProtocol::mqttv50:
            return ProtocolVersion::v5;
        case config::BridgeProtocol::mqttv311:
            break;
    }
    return ProtocolVersion::v311;
}

void Bridge::start() {
    connect_local();  // the remote side follows once the local broker accepted it (on_local_packet)
    watching_ = true;
    arm_watch();
    if (!config_.lazy()) return;
    set_state(State::idle);
    logger().log(LogType::notice,
                 "Bridge {} waits for {} queued messages before it connects (start_type lazy).", config_.name,
                 config_.lazy_threshold());
}

// --- the local side ---

void Bridge::connect_local() {
    client_ = std::make_shared<broker::Client>(link_);
    // With local_username the local ACL applies to it as that user (its password was checked at start);
    // without, it is the broker's own trusted client.
    client_->listener = config_.local_username ? broker::Client::kBridgeLocal : broker::Client::kInternal;
    // MQTT 5, for No Local on the local subscriptions: what the bridge brings in must not go back out.
    Connect connect;
    connect.version = ProtocolVersion::v5;
    connect.clean_start = config_.local_clean();
    connect.keep_alive = 0;
    connect.client_id = config_.local_clientid;
    connect.username = config_.local_username;
    if (!config_.local_clean()) connect.properties.session_expiry_interval = kSessionNeverExpires;
    loop_.core().handle_packet(client_, std::move(connect));
}

void Bridge::subscribe_local() {
    Subscribe subscribe{1, {}, {}};
    for (const auto& rule : config_.topics) {
        if (!goes_out(rule)) continue;
        std::string filter = local_filter(rule);
        logger().log(LogType::debug, "Bridge {} doing local SUBSCRIBE on topic {}", config_.local_clientid,
                     filter);
        // Retained messages are not replayed at each start (as Mosquitto): the remote has them already.
        subscribe.subscriptions.push_back(
            {std::move(filter), static_cast<QoS>(rule.qos), true, true, RetainHandling::never_send});
    }
    if (!subscribe.subscriptions.empty()) loop_.core().handle_packet(client_, std::move(subscribe));
}

void Bridge::publish_local_state(bool up) {
    if (!config_.notifications || !client_) return;
    Publish state;
    state.topic = config_.notification_topic;
    state.payload = Payload(std::string_view(up ? "1" : "0"));
    state.retain = true;
    loop_.core().handle_packet(client_, std::move(state));
}

void Bridge::on_local_packet(const Packet& packet) {
    if (const auto* connack = std::get_if<Connack>(&packet)) {
        if (connack->reason != ReasonCode::success) {
            logger().log(LogType::error, "Bridge {}: the local broker refused its local client {}: {}.",
                         config_.name, config_.local_clientid, to_string(connack->reason));
            return;
        }
        local_up_ = true;
        subscribe_local();
        publish_local_state(state_ == State::up);
        // Connected to the remote only now, so that its state ("1") is published where the local broker
        // keeps it.
        if (state_ == State::stopped && !config_.lazy()) connect_remote();
        return;
    }
    if (const auto* publish = std::get_if<Publish>(&packet)) {
        DeliveryFields fields{publish->qos, publish->retain, publish->dup, publish->packet_id};
        on_local_delivery(*publish, fields);
        return;
    }
    if (const auto* suback = std::get_if<Suback>(&packet)) {
        for (auto reason : suback->reasons)
            if (static_cast<std::uint8_t>(reason) >= 0x80)
                logger().log(LogType::warning, "Bridge {}: a local subscription was refused ({}).",
                             config_.name, to_string(reason));
        return;
    }
    if (const auto* pubrel = std::get_if<Pubrel>(&packet); pubrel && unrouted_.erase(pubrel->packet_id) > 0) {
        loop_.core().handle_packet(client_, Pubcomp{pubrel->packet_id});
        return;
    }
    if (const auto* pubrel = std::get_if<Pubrel>(&packet)) {
        // QoS 2 going out: the local session released it; the remote's PUBCOMP ends it.
        auto it = outbound_.find(pubrel->packet_id);
        if (it != outbound_.end()) it->second.released = true;
        // Sent now if its PUBLISH is on this link; otherwise send_pending sends the PUBREL in its turn.
        if (state_ == State::up && (it == outbound_.end() || it->second.on_link))
            remote_->send(Pubrel{pubrel->packet_id});
        return;
    }
    // The local broker's answers to what came in from the remote: passed on with the remote's packet ids.
    if (std::holds_alternative<Puback>(packet) || std::holds_alternative<Pubrec>(packet) ||
        std::holds_alternative<Pubcomp>(packet)) {
        if (state_ == State::up) remote_->send(packet);
        return;
    }
    if (const auto* disconnect = std::get_if<Disconnect>(&packet))
        logger().log(LogType::notice, "Bridge {}: the local broker disconnects it ({}).", config_.name,
                     to_string(disconnect->reason));
}

bool Bridge::on_local_delivery(const Publish& message, const DeliveryFields& fields) {
    const TopicRoute* route = nullptr;
    for (const auto& candidate : routes_)
        if (goes_out(candidate.rule) && protocol::topic_matches(candidate.local, message.topic)) {
            route = &candidate;
            break;
        }
    if (!route) {
        // Not ours to forward: a filter an earlier configuration of this session subscribed.
        acknowledge_locally(fields);
        return true;
    }
    DeliveryFields out;
    out.qos = fields.qos;
    out.retain = fields.retain && config_.outgoing_retain;
    out.packet_id = fields.packet_id;
    out.message_expiry_interval = fields.message_expiry_interval;
    // Measured as it goes: with the remote topic.
    Outgoing outgoing =
        prepare_outgoing(*route, message, out, remote_version(), max_packet_size(), size_scratch_);
    const Publish& sent = outgoing.message(message);
    if (outgoing.too_big) {
        logger().log(
            LogType::warning,
            "Bridge {}: a message on '{}' is larger than the remote's maximum packet size ({} bytes): "
            "dropped.",
            config_.name, sent.topic, max_packet_size());
        acknowledge_locally(fields);
        return true;
    }
    if (fields.qos == QoS::at_most_once) {
        if (state_ != State::up) return true;  // QoS 0 is not queued, as for any offline client
        remote_->send_delivery(sent, out);     // renamed, or as it is: no copy
        count(forwarded_out_);
        return true;
    }
    auto [it, inserted] = outbound_.try_emplace(fields.packet_id);
    if (inserted) outbound_order_.push_back(fields.packet_id);
    Outbound& entry = it->second;
    entry.publish = outgoing.renamed ? std::move(*outgoing.renamed) : message;
    entry.publish.qos = out.qos;
    entry.publish.retain = out.retain;
    entry.publish.packet_id = out.packet_id;
    entry.released = false;
    // MQTT 5: what is left of its Message Expiry Interval, counted down while it waits for the remote.
    entry.expires_at.reset();
    if (fields.message_expiry_interval)
        entry.expires_at = Clock::now() + std::chrono::seconds(*fields.message_expiry_interval);
    if (fields.dup) entry.sent = true;
    if (state_ == State::up) {
        send_pending();
    } else if (state_ == State::idle) {
        check_threshold();
    }
    return true;
}

std::size_t Bridge::remote_unsent_bytes() const {
    return remote_ ? remote_->unsent_bytes() : 0;
}

void Bridge::on_local_closed() {
    // The broker is shutting down (or another client took the local id over): the bridge stops.
    local_up_ = false;
    // Let go of the client once the broker is done with it: it is still in the middle of closing it.
    loop_.post([closed = std::move(client_)] {});
    say_goodbye();
    logger().log(LogType::notice, "Bridge {} stopped.", config_.name);
    stop_remote();
    watching_ = false;
    watch_timer_.cancel();
    set_state(State::stopped);
}

void Bridge::say_goodbye() {
    if (state_ != State::up) return;
    // A clean DISCONNECT keeps the remote from publishing the will: say "0" ourselves.
    if (config_.notifications && !config_.notifications_local_only) {
        Publish state;
        state.topic = config_.notification_topic;
        state.payload = Payload(std::string_view("0"));
        state.retain = true;
        remote_->send(state);
    }
    logger().log(LogType::debug, "Bridge {} sending DISCONNECT", config_.remote_clientid);
    remote_->send(Disconnect{});
}

void Bridge::retire(const config::BridgeConfig* successor) {
    bool keep_session =
        successor && successor->local_clientid == config_.local_clientid && !successor->local_clean();
    if (!client_ || !local_up_) {
        say_goodbye();
        stop_remote();
        watching_ = false;
        watch_timer_.cancel();
        set_state(State::stopped);
        return;
    }
    if (keep_session) {
        // The successor resumes this session: what it no longer forwards must stop arriving.
        std::vector<std::string> kept;
        for (const auto& rule : successor->topics)
            if (goes_out(rule)) kept.push_back(local_filter(rule));
        Unsubscribe dropped{1, {}, {}};
        for (const auto& rule : config_.topics)
            if (goes_out(rule) && std::ranges::find(kept, local_filter(rule)) == kept.end())
                dropped.filters.push_back(local_filter(rule));
        if (!dropped.filters.empty()) loop_.core().handle_packet(client_, std::move(dropped));
    } else {
        publish_local_state(false);
    }
    Disconnect bye;
    if (!keep_session) bye.properties.session_expiry_interval = 0;  // a removed bridge's queue goes too
    loop_.core().handle_packet(client_, std::move(bye));  // the broker closes the link: on_local_closed
}

// --- the remote side ---

void Bridge::connect_remote() {
    set_state(State::connecting);
    logger().log(LogType::notice, "Connecting bridge {} ({}:{})", config_.name, address().host,
                 address().port);
    auto timeout = std::chrono::seconds(std::max<int>(config_.keepalive_interval, 10));
    connector_->async_connect({address().host, address().port, config_.bind_address}, timeout,
                              [this](auto result) { loop_.step([&] { on_transport(std::move(result)); }); });
}

void Bridge::on_transport(std::expected<std::unique_ptr<net::Transport>, net::ConnectError> result) {
    if (state_ != State::connecting) return;
    if (!result) {
        // Mosquitto's two lines; a TLS failure's explanation (cause, then "Fix: ...") one line each.
        const std::string& why = result.error().message;
        auto fix = why.find("\nFix: ");
        if (fix == std::string::npos) {
            logger().log(LogType::error, "Error creating bridge: {}.", why);
        } else {
            logger().log(LogType::error, "Error creating bridge: {}.", why.substr(0, fix));
            logger().log(LogType::error, "{}", why.substr(fix + 1));
        }
        logger().log(LogType::warning, "Warning: Unable to connect to bridge {}.", config_.name);
        return schedule_restart(true);
    }
    remote_ = std::make_shared<RemoteConnection>(loop_, std::move(*result),
                                                 static_cast<RemoteConnection::Owner&>(*this),
                                                 remote_version(), config_.keepalive_interval);
    remote_->start();
    set_state(State::awaiting_connack);
    logger().log(LogType::debug, "Bridge {} sending CONNECT", config_.remote_clientid);
    remote_->send(remote_connect());
}

Connect Bridge::remote_connect() const {
    Connect connect;
    connect.version = remote_version();
    connect.bridge = config_.try_private && !private_refused_ && connect.version != ProtocolVersion::v5;
    connect.clean_start = config_.clean_session;
    connect.keep_alive = config_.keepalive_interval;
    connect.client_id = config_.remote_clientid;
    connect.username = config_.remote_username;
    connect.password = config_.remote_password;
    if (connect.version == ProtocolVersion::v5 && !config_.clean_session)
        connect.properties.session_expiry_interval = kSessionNeverExpires;
    if (config_.notifications && !config_.notifications_local_only) {
        // The remote says "0" for us when the link dies.
        Will will;
        will.topic = config_.notification_topic;
        will.payload = Payload(std::string_view("0"));
        will.qos = QoS::at_least_once;
        will.retain = true;
        connect.will = std::move(will);
    }
    return connect;
}

void Bridge::on_remote_packet(Packet&& packet) {
    std::visit(
        [&](auto&& p) {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, Connack>) {
                on_connack(p);
            } else if constexpr (std::is_same_v<T, Publish>) {
                from_remote(std::move(p));
            } else if constexpr (std::is_same_v<T, Puback> || std::is_same_v<T, Pubcomp>) {
                // The remote has it: only now does the local session hear so.
                if (forget_outbound(p.packet_id)) count(forwarded_out_);
                if (client_) loop_.core().handle_packet(client_, T{p.packet_id});
                send_pending();
            } else if constexpr (std::is_same_v<T, Pubrec>) {
                bool refused = static_cast<std::uint8_t>(p.reason) >= 0x80;
                if (refused) forget_outbound(p.packet_id);
                if (client_) loop_.core().handle_packet(client_, Pubrec{p.packet_id, p.reason, {}});
                if (refused) send_pending();
            } else if constexpr (std::is_same_v<T, Pubrel>) {
                if (client_) loop_.core().handle_packet(client_, Pubrel{p.packet_id});
            } else if constexpr (std::is_same_v<T, Suback>) {
                for (auto reason : p.reasons)
                    if (static_cast<std::uint8_t>(reason) >= 0x80)
                        logger().log(LogType::warning, "Bridge {}: the remote refused a subscription ({}).",
                                     config_.name, to_string(reason));
            } else if constexpr (std::is_same_v<T, Disconnect>) {
                stop_remote();
                on_remote_lost(fmt::format("the remote sent DISCONNECT ({})", to_string(p.reason)));
            }
        },
        std::move(packet));
}

void Bridge::on_connack(const Connack& connack) {
    if (state_ != State::awaiting_connack) return;
    logger().log(LogType::debug, "Received CONNACK on connection {}.", config_.remote_clientid);
    if (connack.reason != ReasonCode::success) {
        logger().log(LogType::error, "Connection Refused: {}", refusal_words(connack.reason));
        stop_remote();
        bool bit_refused = connack.reason == ReasonCode::unsupported_protocol_version &&
                           config_.try_private && !private_refused_ &&
                           remote_version() != ProtocolVersion::v5;
        if (bit_refused) {
            // A broker that does not know the bridge bit: connect as an ordinary client (as Mosquitto).
            private_refused_ = true;
            return connect_remote();
        }
        return schedule_restart(false);
    }
    set_state(State::up);
    // MQTT 5: the remote's Receive Maximum bounds what is in flight to it; its Maximum Packet Size what
    // may go.
    remote_receive_maximum_ = connack.properties.receive_maximum.value_or(65535);
    if (remote_receive_maximum_ == 0) remote_receive_maximum_ = 65535;
    remote_max_packet_size_ = connack.properties.maximum_packet_size.value_or(0);
    restart_delay_.reset();
    addresses_tried_ = 0;
    if (ever_connected_) count(reconnects_);
    ever_connected_ = true;
    subscribe_remote();
    if (config_.notifications && !config_.notifications_local_only) {
        Publish state;
        state.topic = config_.notification_topic;
        state.payload = Payload(std::string_view("1"));
        state.retain = true;
        remote_->send(state);
    }
    publish_local_state(true);
    // Said once the local state says so: whoever waits for this line (a test) and then subscribes to the
    // state gets the retained "1" once, not also the live copy racing its subscription.
    logger().log(LogType::notice, "Bridge {} connected to {}:{} as {}.", config_.name, address().host,
                 address().port, config_.remote_clientid);
    resend_outbound();
}

std::uint16_t Bridge::free_remote_id() const {
    // The local session numbers outgoing PUBLISHes from 1 up: SUBSCRIBE takes one from the top.
    for (std::uint16_t id = 65535; id > 0; --id)
        if (!outbound_.contains(id)) return id;
    return 65535;
}

void Bridge::subscribe_remote() {
    bool v5 = remote_version() == ProtocolVersion::v5;
    Subscribe subscribe{free_remote_id(), {}, {}};
    Unsubscribe unsubscribe{free_remote_id(), {}, {}};
    for (const auto& rule : config_.topics) {
        std::string filter = remote_filter(rule);
        if (comes_in(rule)) {
            logger().log(LogType::debug,
                         "Bridge {} sending SUBSCRIBE (Mid: {}, Topic: {}, QoS: {}, Options: 0x{:02x})",
                         config_.remote_clientid, subscribe.packet_id, filter, rule.qos, v5 ? 0x0C : 0);
            // MQTT 5: No Local and Retain As Published, so that nothing comes back and retained stays
            // retained.
            subscribe.subscriptions.push_back(
                {std::move(filter), static_cast<QoS>(rule.qos), v5, v5, RetainHandling::send_on_subscribe});
        } else if (config_.attempt_unsubscribe) {
            // An `out` topic that was `in` before must not keep bringing messages in.
            unsubscribe.filters.push_back(std::move(filter));
        }
    }
    if (!subscribe.subscriptions.empty()) remote_->send(subscribe);
    if (!unsubscribe.filters.empty()) remote_->send(unsubscribe);
}

void Bridge::acknowledge_locally(const DeliveryFields& fields) {
    // So that it does not hold a place in the local session's in-flight window for ever. After this step:
    // the broker is still handing the message over (it records it in flight once send_publish returns).
    if (fields.qos == QoS::at_most_once) return;
    if (fields.qos == QoS::exactly_once) unrouted_.insert(fields.packet_id);
    loop_.post([this, qos = fields.qos, id = fields.packet_id] {
        if (!client_) return;
        if (qos == QoS::at_least_once) loop_.core().handle_packet(client_, Puback{id});
        if (qos == QoS::exactly_once)
            loop_.core().handle_packet(client_, Pubrec{id, ReasonCode::success, {}});
    });
}

std::uint32_t Bridge::max_packet_size() const {
    std::uint32_t ours = config_.max_packet_size;
    std::uint32_t theirs = state_ == State::up ? remote_max_packet_size_ : 0;
    if (ours == 0) return theirs;
    return theirs == 0 ? ours : std::min(ours, theirs);
}

void Bridge::from_remote(Publish&& publish) {
    std::optional<std::string> local_topic;
    for (const auto& rule : config_.topics) {
        if (!comes_in(rule)) continue;
        if ((local_topic = to_local(rule, publish.topic))) break;
    }
    if (!local_topic || !client_) {
        // Not a topic this bridge brings in: acknowledged, not published (the remote would resend it
        // forever).
        if (publish.qos == QoS::at_least_once) remote_->send(Puback{publish.packet_id});
        if (publish.qos == QoS::exactly_once) remote_->send(Pubrec{publish.packet_id});
        return;
    }
    publish.topic = std::move(*local_topic);
    count(forwarded_in_);
    loop_.core().handle_packet(client_, std::move(publish));
}

void Bridge::on_remote_lost(std::string why) {
    bool was_up = state_ == State::up;
    remote_.reset();
    logger().log(LogType::notice, "Bridge {} disconnected from {}:{}: {}.", config_.name, address().host,
                 address().port, why);
    if (was_up) publish_local_state(false);
    schedule_restart(!was_up);
}

void Bridge::schedule_restart(bool try_next_address_now) {
    set_state(State::waiting);
    if (!client_) {
        set_state(State::stopped);
        return;
    }
    if (config_.start_type == config::BridgeStartType::once) {
        logger().log(LogType::notice, "Bridge {} is not restarted (start_type once).", config_.name);
        set_state(State::stopped);
        return;
    }
    const std::size_t count = config_.addresses.size();
    if (try_next_address_now) {
        // Failover: the next address now, until each was tried once in this round.
        address_index_ = (address_index_ + 1) % count;
        if (++addresses_tried_ < count) return connect_remote();
    } else {
        // A link that was up and went down: round_robin goes on with the next address; otherwise the main
        // (first) address is tried first again.
        address_index_ = config_.round_robin ? (address_index_ + 1) % count : 0;
    }
    addresses_tried_ = 0;
    if (lazy_below_threshold()) return go_idle();
    auto delay = restart_delay_.next();
    logger().log(LogType::information, "Bridge {} will reconnect in {} ms.", config_.name, delay.count());
    restart_timer_.expires_after(delay);
    restart_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || state_ != State::waiting) return;
        loop_.step([&] { connect_remote(); });
    });
}

void Bridge::stop_remote() {
    if (remote_) {
        remote_->close();
        remote_.reset();
    }
    connector_->cancel();
    restart_timer_.cancel();
}

}  // namespace culex::bridge
