#include "broker/loop_broker.hpp"

#include <utility>

#include "broker/broker.hpp"
#include "broker/packet_log.hpp"
#include "log/logger.hpp"
#include "log/topic_sink.hpp"

namespace culex::broker {

using culex::log::logger;
using culex::log::LogType;
using namespace culex::protocol;

namespace {

// Packets a client may send after CONNECT before its CONNACK; far more than any real client pipelines.
constexpr std::size_t kMaxEarlyPackets = 1000;

}  // namespace

LoopBroker::LoopBroker(Broker& broker, int loop)
    : LoopCore(broker.settings().listeners.size()),
      broker_(broker),
      loop_(loop),
      policies_(broker),
      store_step_(broker.executor(loop)),
      router_(broker, loop, policies_, store_step_) {
    if (loop == 0 && broker.settings().sys_interval.count() > 0)
        sys_tree_ = std::make_unique<SysTree>(broker.settings().version);
    store_step_.on_release(
        [this](const AnchorPtr& anchor, std::uint16_t packet_id) { release_held(anchor, packet_id); });
    store_step_.on_page(
        [this](const AnchorPtr& anchor, StoreStep::PageRead page) { take_page(anchor, std::move(page)); });
    store_step_.on_ack([this](PlainAck& ack, bool committed) { send_stored_ack(ack, committed); });
}

void LoopBroker::end_step() {
    // The step's batch goes to the writer first: it holds the messages routed to stored sessions on other
    // loops (router.cpp), which those loops' own records must not overtake. Their deliveries follow before
    // the writer can commit it, so that they reach their loops ahead of any page of a stored queue read after
    // that commit. The deliveries carry this step's fence: its acknowledgements wait for their loops'
    // commits too.
    FencePtr fence = store_step_.current_fence();
    store_step_.end_step([&] { router_.hand_over(fence); });
}

LoopBroker::~LoopBroker() = default;

void LoopBroker::protocol_violation(Client& client, std::string_view what, ReasonCode reason) {
    logger().log_connection(LogType::notice, "Client {} disconnected due to protocol error: {}.",
                            client.log_id(), what);
    if (client.version == ProtocolVersion::v5 && client.state == Client::State::connected)
        client.send(Disconnect{reason, {}});
    end_connection(client, CloseReason::protocol_error);
}

void LoopBroker::handle_packet(const ClientPtr& client, Packet&& packet) {
    Client& c = *client;
    if (c.state == Client::State::closed) return;
    if (c.state == Client::State::awaiting_connect) {
        if (auto* connect = std::get_if<Connect>(&packet)) return handle_connect(client, std::move(*connect));
        logger().log(LogType::notice, "Client {} sent {} before CONNECT: closing the connection.",
                     c.link->peer(), to_string(type_of(packet)));
        end_connection(c, CloseReason::protocol_error);
        return;
    }
    if (c.state == Client::State::connecting) {
        if (auto* auth = std::get_if<Auth>(&packet); auth && c.extras_if() && c.extras_if()->auth) {
            log_received(c.log_id(), packet);
            return handle_auth(client, std::move(*auth));
        }
        // A client may send before our CONNACK (spec 3.1.4): keep it in order for when the session is ready
        // (a password check or a takeover on another loop takes a while). Bounded: a flood is a violation.
        auto& early = c.extras().early_packets;
        if (early.size() >= kMaxEarlyPackets)
            return protocol_violation(c, "too many packets sent before CONNACK");
        early.push_back(std::move(packet));
        return;
    }
    // PUBLISH is logged by handle_publish, as received or as denied.
    if (!std::holds_alternative<Publish>(packet)) log_received(c.log_id(), packet);
    Session& session = *c.session;
    std::visit(
        [&](auto&& p) {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, Publish>) {
                handle_publish(client, std::move(p));
            } else if constexpr (std::is_same_v<T, Puback>) {
                session.on_puback(p.packet_id);
            } else if constexpr (std::is_same_v<T, Pubrec>) {
                if (static_cast<std::uint8_t>(p.reason) >= 0x80)
                    return session.on_pubrec_refused(p.packet_id);
                if (session.on_pubrec(p.packet_id)) acknowledge(client, Pubrel{p.packet_id});
            } else if constexpr (std::is_same_v<T, Pubrel>) {
                handle_pubrel(client, p);
            } else if constexpr (std::is_same_v<T, Pubcomp>) {
                session.on_pubcomp(p.packet_id);
            } else if constexpr (std::is_same_v<T, Subscribe>) {
                handle_subscribe(client, std::move(p));
            } else if constexpr (std::is_same_v<T, Unsubscribe>) {
                handle_unsubscribe(client, std::move(p));
            } else if constexpr (std::is_same_v<T, Pingreq>) {
                c.send(Pingresp{});
            } else if constexpr (std::is_same_v<T, Disconnect>) {
                // MQTT 5 may change the session's expiry on the way out, but not from 0 (spec 3.14.2.2.2).
                if (auto interval = p.properties.session_expiry_interval) {
                    if (!session.persistent() && *interval != 0)
                        return protocol_violation(
                            c, "DISCONNECT sets a Session Expiry Interval after CONNECT had 0");
                    session.expiry = session_expiry(*interval);
                }
                // MQTT 5 "Disconnect with Will Message" asks for the will although the close is clean.
                bool with_will = p.reason == ReasonCode::disconnect_with_will;
                end_connection(c, with_will ? CloseReason::peer_closed : CloseReason::disconnect);
            } else if constexpr (std::is_same_v<T, Auth>) {
                handle_auth(client, std::move(p));
            } else if constexpr (std::is_same_v<T, Connect>) {
                protocol_violation(c, "second CONNECT");
            } else {
                protocol_violation(c, fmt::format("a client may not send {}", to_string(type_of(packet))));
            }
        },
        std::move(packet));
}

void LoopBroker::handle_bad_packet(const ClientPtr& client, const DecodeError& error) {
    Client& c = *client;
    if (c.state == Client::State::closed) return;
    if (c.state == Client::State::awaiting_connect &&
        error.code == ReasonCode::unsupported_protocol_version) {
        // Spec 3.1.2.2: answer with return code 1, then close.
        logger().log(LogType::notice, "Client {} refused: {}.", c.link->peer(), error.message);
        // Not logged as sent, as Mosquitto: the client has no name to log yet.
        c.link->send(Connack{false, ReasonCode::unsupported_protocol_version, {}});
        end_connection(c, CloseReason::refused);
        return;
    }
    std::string_view kind =
        error.code == ReasonCode::malformed_packet ? "malformed packet" : "protocol error";
    if (error.code == ReasonCode::packet_too_large) kind = "oversize packet";
    logger().log_connection(LogType::notice, "Client {} disconnected due to {}: {}.", c.log_id(), kind,
                            error.message);
    // MQTT 5 says why before closing (spec 4.13.1): 0x81, 0x82, 0x95...
    if (c.version == ProtocolVersion::v5 && c.state == Client::State::connected)
        c.send(Disconnect{error.code, {}});
    end_connection(c, CloseReason::protocol_error);
}

void LoopBroker::handle_timeout(const ClientPtr& client) {
    Client& c = *client;
    if (c.state == Client::State::closed) return;
    if (c.state == Client::State::connected) {
        logger().log_connection(LogType::notice, "Client {} has exceeded timeout, disconnecting.",
                                c.log_id());
        if (c.version == ProtocolVersion::v5) c.send(Disconnect{ReasonCode::keep_alive_timeout, {}});
    } else {
        logger().log(LogType::notice, "Client {} did not send CONNECT in time, closing the connection.",
                     c.link ? c.link->peer() : c.log_id());
    }
    end_connection(c, CloseReason::keepalive_timeout);
}

void LoopBroker::handle_closed(const ClientPtr& client) {
    Client& c = *client;
    if (c.state == Client::State::closed) return;
    c.link = nullptr;  // net has closed it already
    if (c.state != Client::State::connected) {
        c.state = Client::State::closed;
        return;
    }
    logger().log_connection(LogType::notice, "Client {} closed its connection.", c.log_id());
    end_connection(c, CloseReason::peer_closed);
}

void LoopBroker::recheck_clients() {
    policies_.refresh();
    std::vector<Client*> gone;
    for (auto& session : sessions_) {
        Client* client = session->client();
        if (!client || Client::is_internal(client->listener)) continue;
        PolicyPtr policy = broker_.policy(client->listener);
        bool still_allowed = client->username
                                 ? (!client->password_checked ||
                                    (policy->passwords && policy->passwords->has_user(*client->username)))
                                 : policy->allow_anonymous;
        if (!still_allowed) gone.push_back(client);
    }
    for (Client* client : gone) {
        if (client->username)
            logger().log(LogType::notice,
                         "Client {} disconnected: user '{}' is no longer in the password file.",
                         client->log_id(), *client->username);
        else
            logger().log(LogType::notice, "Client {} disconnected: anonymous clients are no longer allowed.",
                         client->log_id());
        if (client->version == ProtocolVersion::v5) client->send(Disconnect{ReasonCode::not_authorized, {}});
        end_connection(*client, CloseReason::refused);
    }
    // From here this loop judges by the new rules (also what tests of a reload wait for).
    logger().log(LogType::debug, "Reloaded access rules in force on event loop {}.", loop_);
}

void LoopBroker::shut_down() {
    // The loops are about to stop: no more log lines for them to publish.
    if (loop_ == 0) log::set_topic_consumer(nullptr);
    for (auto& session : sessions_) {
        Client* client = session->client();
        if (!client || !client->link) continue;
        if (client->version == ProtocolVersion::v5)
            client->send(Disconnect{ReasonCode::server_shutting_down, {}});
        // Detached as in end_connection, without its will or session ending: nothing is sent to it from now.
        session->detach();
        client->session = nullptr;
        client->state = Client::State::closed;
        // Closing may free the client (a bridge's local client is owned by its bridge): touch it no more.
        std::exchange(client->link, nullptr)->close();
    }
}

}  // namespace culex::broker
