// Finding the session of a client that has logged in: a new one, its own on this loop, or one that another
// loop owns, which is taken from its old connection (takeover) and moved to the new connection's loop.
#include <algorithm>

#include "broker/broker.hpp"
#include "broker/loop_broker.hpp"
#include "log/logger.hpp"
#include "protocol/topic.hpp"

namespace culex::broker {

using culex::log::logger;
using culex::log::LogType;
using namespace culex::protocol;

void LoopBroker::start_session(const ClientPtr& client) {
    if (client->state != Client::State::connecting || !client->link) return;
    bool created = false;
    AnchorPtr anchor = broker_.sessions().find_or_create(client->client_id(), loop_, created);
    client->anchor = anchor;  // the client id's home from now on
    if (created) {
        finish_connect(client, create_session(anchor), false);
        return;
    }
    TakeoverRequest request{client, loop_, client->connect->clean_start};
    int owner = anchor->loop.load(std::memory_order_acquire);
    if (owner == loop_) return handle_takeover(anchor, std::move(request));
    broker_.post(owner, [&broker = broker_, owner, anchor, request = std::move(request)]() mutable {
        broker.loop(owner).handle_takeover(anchor, std::move(request));
    });
}

void LoopBroker::handle_takeover(const AnchorPtr& anchor, TakeoverRequest request) {
    int owner = anchor->loop.load(std::memory_order_acquire);
    if (owner != loop_) {  // the session moved on while the request travelled: follow it
        broker_.post(owner, [&broker = broker_, owner, anchor, request = std::move(request)]() mutable {
            broker.loop(owner).handle_takeover(anchor, std::move(request));
        });
        return;
    }
    auto retry = [this, &request] {
        broker_.post(request.loop, [&broker = broker_, loop = request.loop, client = request.client] {
            broker.loop(loop).start_session(client);
        });
    };
    Session* session = anchor->session;
    if (session && session->online()) {
        Client& old = *session->client();
        logger().log_connection(LogType::notice, "Client {} already connected, closing old connection.",
                                old.log_id());
        if (old.version == ProtocolVersion::v5) old.send(Disconnect{ReasonCode::session_taken_over, {}});
        // As Mosquitto: a 3.1/3.1.1 session that lives on (clean session 0 on both connections) drops its
        // will unpublished. MQTT 5 publishes it (spec 3.1.4-3; its Will Delay Interval still applies).
        if (old.version != ProtocolVersion::v5 && !request.clean_start && session->persistent())
            session->will.reset();
        end_connection(old, CloseReason::taken_over);
    }
    session = anchor->session;  // a non-persistent session ended with its connection
    if (!session) return retry();
    if (request.clean_start) {
        end_session(*session);
        return retry();
    }
    if (request.loop == loop_) {
        if (request.client->state == Client::State::connecting && request.client->link)
            finish_connect(request.client, *session, true);
        return;
    }
    // What this loop stored of the session goes to the writer before the session leaves: the new loop's
    // operations on it must not overtake these.
    if (store_step_.enabled()) end_step();
    std::unique_ptr<Session> moving = sessions_.take(*session);
    anchor->loop.store(request.loop, std::memory_order_release);
    broker_.post(request.loop, [&broker = broker_, loop = request.loop, moving = std::move(moving),
                                client = std::move(request.client)]() mutable {
        broker.loop(loop).adopt_session(std::move(moving), client);
    });
}

bool LoopBroker::take_over_for_cluster(const std::string& client_id, std::int64_t connected_at_ms) {
    for (auto& session : sessions_) {
        if (session->client_id() != client_id || !session->online()) continue;
        Client& old = *session->client();
        if (old.connected_at_ms > connected_at_ms) return false;
        logger().log_connection(LogType::notice,
                                "Client {} already connected to another node, closing old connection.",
                                old.log_id());
        if (old.version == ProtocolVersion::v5) old.send(Disconnect{ReasonCode::session_taken_over, {}});
        // A persistent session stays offline here: the cluster records it (with what its client had not
        // acknowledged), the new node resumes it from that record and then ends the copy here
        // (drop_for_cluster); a new node that did not take it (a clean start) overwrote the record, and the
        // cluster ends the copy here when it finds that (docs/cluster.md, "Sessions that move").
        end_connection(old, CloseReason::taken_over);
        return true;
    }
    return false;
}

Session* LoopBroker::anchor_session(const std::string& client_id) {
    AnchorPtr anchor = broker_.sessions().find(client_id);
    if (!anchor || anchor->loop.load(std::memory_order_acquire) != loop_) return nullptr;
    return anchor->session;
}

void LoopBroker::resume_from_cluster(const std::string& client_id, ClusterBacklog backlog) {
    AnchorPtr anchor = broker_.sessions().find(client_id);
    if (!anchor) return;  // ended meanwhile (a clean start, its connection gone)
    int owner = anchor->loop.load(std::memory_order_acquire);
    if (owner != loop_) {  // it moved to another loop meanwhile: follow it
        broker_.post(owner, [&broker = broker_, owner, client_id, backlog = std::move(backlog)]() mutable {
            broker.loop(owner).resume_from_cluster(client_id, std::move(backlog));
        });
        return;
    }
    Session* session = anchor->session;
    if (!session) return;
    for (auto& [filter, options] : backlog.subscriptions) {
        if (session->filters().contains(filter)) continue;  // subscribed again meanwhile: the client's own
        broker_.subscriptions().subscribe(filter, anchor, options);
        session->filters()[filter] = options;
    }
    tell_cluster_online(*session);  // its record now says it is held here, with these subscriptions
    // Each message once, at the highest QoS its matching subscriptions grant (spec 3.3.4), before anything
    // routed live from now on.
    for (const MessagePtr& message : backlog.messages) {
        int granted = -1;
        SubscriptionIds ids;
        for (const auto& [filter, options] : session->filters()) {
            if (filter.starts_with("$share/") || !topic_matches(filter, message->topic)) continue;
            granted = std::max(granted, static_cast<int>(options.max_qos));
            ids.add(options.subscription_id);
        }
        // The read check every delivery passes (Router::deliver): a subscription the ACL grants only in part
        // sees only what the client may read, replayed or live.
        if (granted < 0 || !policies_.allowed(*session, auth::Access::read, message->topic)) continue;
        auto qos = static_cast<QoS>(std::min(granted, static_cast<int>(message->qos)));
        session->deliver(message, qos, false, ids);
    }
}

std::vector<std::string> LoopBroker::settled_cluster_sessions() {
    std::vector<std::string> settled;
    for (const auto& session : sessions_)
        if (session->online() && session->persistent() && session->inflight_count() == 0 &&
            session->queued_count() == 0 && session->stored_queue_count() == 0)
            settled.push_back(session->client_id());
    return settled;
}

void LoopBroker::drop_for_cluster(const std::string& client_id) {
    Session* session = anchor_session(client_id);
    if (!session || session->online()) return;  // not here, or its client came back here meanwhile
    logger().log(LogType::information, "Client {} resumed its session on another node: ended here.",
                 client_id);
    settle_waiting_will(*session);
    session->will.reset();
    end_session(*session);
}

void LoopBroker::adopt_session(std::unique_ptr<Session> session, const ClientPtr& client) {
    Session& s = own(std::move(session));
    if (client->state == Client::State::connecting && client->link) {
        finish_connect(client, s, true);
    } else {
        s.offline_since = std::chrono::steady_clock::now();  // the new connection went away meanwhile
    }
}

Session& LoopBroker::create_session(const AnchorPtr& anchor) {
    Session& s = own(std::make_unique<Session>(anchor, broker_.settings()));
    anchor->session = &s;
    return s;
}

Session& LoopBroker::own(std::unique_ptr<Session> session) {
    session->use_store(store_step_.enabled() ? &store_step_ : nullptr);
    session->count_drops_in(counters());
    return sessions_.add(std::move(session));
}

}  // namespace culex::broker
