// The admin API's view of a loop and its actions on it (broker/inspection.hpp): run on the loop, as a task
// the HTTP thread posted.
#include <fmt/format.h>

#include "broker/broker.hpp"
#include "broker/loop_broker.hpp"
#include "log/logger.hpp"

namespace culex::broker {

using culex::log::logger;
using culex::log::LogType;
using protocol::ProtocolVersion;

namespace {

SessionSnapshot snapshot(Session& session, bool with_subscriptions) {
    SessionSnapshot out;
    out.client_id = session.client_id();
    out.online = session.online();
    out.username = session.username ? std::optional(*session.username) : std::nullopt;
    out.protocol_level = static_cast<int>(session.version);
    out.listener = session.listener;
    if (Client* client = session.client(); client && client->link) {
        out.address = client->link->peer();
        out.keep_alive = client->keep_alive;
        out.connected_since_ms = client->connected_at_ms;
    }
    out.persistent = session.persistent();
    if (session.expiry) out.expiry_seconds = session.expiry->count();
    out.queued = session.queued_count() + session.stored_queue_count();
    out.queued_bytes = session.queued_bytes();
    out.stored_queue = session.stored_queue_count();
    out.inflight = session.inflight_count();
    out.incoming_qos2 = session.incoming_count();
    if (with_subscriptions && session.subscriptions)
        for (const auto& [filter, options] : *session.subscriptions)
            out.subscriptions.push_back({filter, static_cast<int>(options.max_qos), options.no_local,
                                         options.retain_as_published, options.subscription_id});
    return out;
}

}  // namespace

std::vector<SessionSnapshot> LoopBroker::inspect(const InspectionQuery& query) {
    std::vector<SessionSnapshot> out;
    for (auto& session : sessions_) {
        if (out.size() >= query.limit) break;
        if (query.client_id && session->client_id() != *query.client_id) continue;
        if (query.online_only && !session->online()) continue;
        out.push_back(snapshot(*session, query.with_subscriptions));
    }
    return out;
}

bool LoopBroker::disconnect_by_admin(const std::string& client_id, std::string_view requested_by) {
    for (auto& session : sessions_) {
        if (session->client_id() != client_id || !session->online()) continue;
        Client& client = *session->client();
        logger().log(LogType::notice, "Client {} disconnected by the HTTP API (requested by {}).",
                     client.log_id(), requested_by);
        // MQTT 5 hears why; a will is published, as for any close the client did not ask for.
        if (client.version == ProtocolVersion::v5)
            client.send(protocol::Disconnect{protocol::ReasonCode::administrative_action, {}});
        end_connection(client, CloseReason::refused);
        return true;
    }
    return false;
}

void LoopBroker::clear_retained(std::string topic) {
    // As a client clears it: an empty retained PUBLISH, routed, so the store forgets it too and current
    // subscribers see the usual zero-length message.
    protocol::Publish publish;
    publish.topic = std::move(topic);
    publish.retain = true;
    router_.route(std::make_shared<const Message>(std::move(publish)), nullptr);
}

}  // namespace culex::broker
