// The end of a connection and of a session: the will (at once, or after its delay), the session kept
// offline or ended, expiry of offline sessions, and what an ending session leaves to others (shared
// subscriptions' unacknowledged messages).
#include <utility>

#include "broker/broker.hpp"
#include "broker/cluster_link.hpp"
#include "broker/loop_broker.hpp"
#include "log/logger.hpp"

namespace culex::broker {

using culex::log::logger;
using culex::log::LogType;
using namespace culex::protocol;

namespace {

ClusterSession cluster_session(const Session& session) {
    ClusterSession record{session.client_id(), {}, std::nullopt};
    if (session.expiry) record.expiry_seconds = session.expiry->count();
    record.settled =
        session.inflight_count() == 0 && session.queued_count() == 0 && session.stored_queue_count() == 0;
    if (session.subscriptions)
        for (const auto& [filter, options] : *session.subscriptions)
            record.subscriptions.push_back({filter, options});
    return record;
}

// Whether a connection that ends for `reason` leaves its will waiting out its delay (MQTT 5 Will Delay
// Interval, for a session that outlives the connection) rather than published at once or dropped.
bool will_waits(const Session& session, CloseReason reason) {
    return reason != CloseReason::disconnect && session.will &&
           session.will->properties.will_delay_interval.value_or(0) > 0 && session.persistent();
}

}  // namespace

void LoopBroker::settle_waiting_will(Session& session) {
    if (!session.will || !session.will->due) return;
    if (ClusterLink* cluster = broker_.cluster()) cluster->will_settled(session.client_id());
}

void LoopBroker::tell_cluster_online(const Session& session) {
    // Only while connected: a resumption whose client left meanwhile was recorded offline already.
    if (ClusterLink* cluster = broker_.cluster(); cluster && session.persistent() && session.online())
        cluster->session_online(cluster_session(session));
}

void LoopBroker::end_connection(Client& client, CloseReason reason) {
    if (client.state == Client::State::closed) return;
    Session* session = client.session;
    if (client.state == Client::State::connected) {
        counters().listener(client.listener).disconnects.add();
        if (ClusterLink* cluster = broker_.cluster())
            cluster->client_disconnected(client.client_id(), client.connected_at_ms,
                                         session && will_waits(*session, reason));
    }
    client.state = Client::State::closed;
    client.session = nullptr;
    if (session) {
        session->detach();
        if (reason != CloseReason::disconnect && session->will) {
            if (will_waits(*session, reason)) {
                // Published by tick() when the delay is over, or when the session ends first.
                session->will->due =
                    std::chrono::steady_clock::now() +
                    std::chrono::seconds(session->will->properties.will_delay_interval.value_or(0));
            } else {
                publish_will(*session);
                session->will.reset();
            }
        } else {
            session->will.reset();
        }
        if (session->persistent()) {
            session->offline_since = std::chrono::steady_clock::now();
            record_offline(*session);
            if (ClusterLink* cluster = broker_.cluster()) cluster->session_offline(cluster_session(*session));
        } else {
            end_session(*session);
        }
    }
    if (reason == CloseReason::disconnect)
        logger().log_connection(LogType::notice, "Client {} disconnected.", client.log_id());
    // Closing may free the client (a bridge's local client is owned by its bridge): touch it no more.
    if (client.link) std::exchange(client.link, nullptr)->close();
}

void LoopBroker::end_session(Session& session) {
    AnchorPtr anchor = session.anchor();
    if (session.will && session.will->due) {  // its delay outlived the session
        publish_will(session);
        settle_waiting_will(session);
    }
    record_ended(session);
    if (session.subscriptions)
        for (const auto& [filter, options] : *session.subscriptions)
            broker_.subscriptions().unsubscribe(filter, anchor.get());
    router_.reroute_shared(session.take_unacknowledged_shared(), anchor.get());
    broker_.sessions().erase(anchor.get());
    anchor->session = nullptr;
    sessions_.take(session);  // destroys it
}

void LoopBroker::publish_will(Session& session) {
    const Will& will = *session.will;
    const BrokerSettings& settings = broker_.settings();
    if (is_sys_topic(will.topic)) {
        logger().log(LogType::notice, "Will of client {} to '{}' dropped: only the broker publishes to $SYS.",
                     session.client_id(), will.topic);
        counters().dropped(DropCause::denied);
        return;
    }
    auto made = std::make_shared<Message>(Publish{will.topic, will.payload, will.qos,
                                                  will.retain && settings.retain_available, false, 0,
                                                  will.properties});
    if (made->retain && settings.check_retain_source)
        made->source = std::make_shared<const MessageSource>(
            MessageSource{std::string(session.client_id()), session.username, session.listener});
    MessagePtr message = std::move(made);
    router_.route(message, session.anchor().get());
}

std::optional<std::chrono::seconds> LoopBroker::session_expiry(std::uint32_t interval) const {
    auto limit = broker_.settings().persistent_client_expiration;
    // A session keeps its expiry in 32 bits, as MQTT counts it: longer than 136 years is the same as that.
    if (limit) limit = std::min(*limit, std::chrono::seconds(0xFFFFFFFE));
    if (interval == 0xFFFFFFFF) return limit;  // "never", unless persistent_client_expiration says otherwise
    std::chrono::seconds asked(interval);
    return limit && interval != 0 ? std::min(asked, *limit) : asked;
}

void LoopBroker::tick(std::chrono::steady_clock::time_point now) {
    // Once a second even without traffic: the flag clears when what held the heap is gone.
    broker_.memory().sample();
    std::vector<Session*> expired;
    std::uint64_t queued = 0, queued_bytes = 0, inflight = 0;
    for (auto& session : sessions_) {
        queued += session->queued_count() + session->stored_queue_count();
        queued_bytes += session->queued_bytes();
        inflight += session->inflight_count();
        if (session->online() || !session->offline_since) continue;
        // A delayed will (MQTT 5 Will Delay Interval) whose time has come.
        if (session->will && session->will->due && now >= *session->will->due) {
            publish_will(*session);
            settle_waiting_will(*session);
            session->will.reset();
            record_will_gone(*session);
        }
        if (session->expiry && now - *session->offline_since >= *session->expiry)
            expired.push_back(session.get());
    }
    LoopCounters& counts = counters();
    counts.queued_messages.set(queued);
    counts.queued_bytes.set(queued_bytes);
    counts.inflight_messages.set(inflight);
    counts.sessions_expired.add(expired.size());
    for (Session* session : expired) {
        logger().log(LogType::notice, "Expiring client {} due to timeout.", session->client_id());
        if (ClusterLink* cluster = broker_.cluster()) cluster->session_expired(session->client_id());
        end_session(*session);
    }
    // Reading the figures is what keeps clients/maximum and heap/maximum: once a second while $SYS is on.
    if (sys_tree_) {
        broker_.statistics();
        publish_sys(now);
    }
}

}  // namespace culex::broker
