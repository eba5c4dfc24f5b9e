// What a loop tells the store about its sessions (connected, offline, ended, their wills), and the
// acknowledgements that wait for the store: the rule is that a client is told something is done (PUBACK,
// PUBREC, PUBCOMP, SUBACK, UNSUBACK) only once it is committed wherever it must be stored.
#include "broker/broker.hpp"
#include "broker/loop_broker.hpp"
#include "broker/stored_records.hpp"
#include "log/logger.hpp"

namespace culex::broker {

using culex::log::logger;
using culex::log::LogType;
using namespace culex::protocol;

namespace {

// The acknowledgement as a PlainAck, when it is one (no properties): no closure to allocate.
std::optional<PlainAck> plain(const ClientPtr& client, const Packet& ack) {
    static const Properties kNone;
    auto make = [&](PlainAck::Kind kind, const auto& p) -> std::optional<PlainAck> {
        if (!(p.properties == kNone)) return std::nullopt;
        return PlainAck{client, p.packet_id, kind, static_cast<std::uint8_t>(p.reason), 0};
    };
    if (const auto* p = std::get_if<Puback>(&ack)) return make(PlainAck::Kind::puback, *p);
    if (const auto* p = std::get_if<Pubrec>(&ack)) return make(PlainAck::Kind::pubrec, *p);
    if (const auto* p = std::get_if<Pubcomp>(&ack)) return make(PlainAck::Kind::pubcomp, *p);
    return std::nullopt;
}

}  // namespace

void LoopBroker::acknowledge(const ClientPtr& client, Packet ack) {
    if (!store_step_.fencing()) return client->send(ack);
    if (auto p = plain(client, ack)) return store_step_.after_commit(std::move(*p));
    when_stored(client, [ack = std::move(ack)](Client& c) { c.send(ack); });
}

void LoopBroker::send_stored_ack(PlainAck& ack, bool committed) {
    Client& c = *ack.client;
    if (!committed) return refuse_unstored(c);
    if (c.state != Client::State::connected || !c.link || !c.session) return;  // gone meanwhile
    auto reason = static_cast<ReasonCode>(ack.reason);
    switch (ack.kind) {
        case PlainAck::Kind::puback:
            c.send(Puback{ack.packet_id, reason, {}});
            break;
        case PlainAck::Kind::pubrec:
            c.send(Pubrec{ack.packet_id, reason, {}});
            break;
        case PlainAck::Kind::pubcomp:
            c.send(Pubcomp{ack.packet_id, reason, {}});
            break;
    }
}

void LoopBroker::when_stored(const ClientPtr& client, std::move_only_function<void(Client&)> then) {
    if (!store_step_.fencing()) return then(*client);
    store_step_.after_commit([this, client, then = std::move(then)](bool committed) mutable {
        Client& c = *client;
        if (committed) {
            if (c.state == Client::State::connected && c.link && c.session) then(c);  // else gone meanwhile
            return;
        }
        refuse_unstored(c);
    });
}

void LoopBroker::refuse_unstored(Client& c) {
    if (c.state != Client::State::connected || !c.link || !c.session) return;  // gone meanwhile
    // Not stored: the client must not hear that it was. Closed, it resends what it has not had acknowledged
    // when it reconnects.
    logger().log(LogType::notice, "Client {} disconnected: the store could not keep its messages.",
                 c.log_id());
    if (c.version == ProtocolVersion::v5) c.send(Disconnect{ReasonCode::unspecified_error, {}});
    end_connection(c, CloseReason::refused);
}

void LoopBroker::release_held(const AnchorPtr& anchor, std::uint16_t packet_id) {
    int owner = anchor->loop.load(std::memory_order_acquire);
    if (owner != loop_) {
        // The session moved to another loop after its record was submitted: it is released there (the task
        // follows the session's own hand-over on that loop).
        broker_.post(owner, [&broker = broker_, owner, anchor, packet_id] {
            broker.loop(owner).release_held(anchor, packet_id);
        });
        return;
    }
    if (anchor->session) anchor->session->release_held(packet_id);
}

void LoopBroker::take_page(const AnchorPtr& anchor, StoreStep::PageRead page) {
    int owner = anchor->loop.load(std::memory_order_acquire);
    if (owner != loop_) {
        broker_.post(owner, [&broker = broker_, owner, anchor, page = std::move(page)]() mutable {
            broker.loop(owner).take_page(anchor, std::move(page));
        });
        return;
    }
    if (anchor->session) anchor->session->take_page(std::move(page));
}

namespace {

store::SessionRecord session_record(const Session& session, std::optional<store::Deadline> expires_at) {
    store::SessionRecord record;
    record.client_id = session.client_id();
    record.version = session.version;
    if (session.expiry) record.expiry_interval = session.expiry->count();
    record.expires_at = expires_at;
    record.listener = session.listener;
    if (session.username) record.username = *session.username;
    return record;
}

}  // namespace

void LoopBroker::record_connected(const Client& client, Session& session) {
    if (!store_step_.enabled()) return;
    store::Batch& batch = store_step_.batch();
    session.anchor()->stores.store(session.stores(), std::memory_order_relaxed);
    // A stored session resumed with expiry 0 stays stored until its connection ends (Session::stores); its
    // record says expiry 0, so that a restart in between ends it too.
    if (!session.persistent() && !session.stored) return;
    session.version = client.version;
    batch.put_session(session_record(session, std::nullopt));
    session.stored = true;
    if (session.will)
        batch.put_will(stored::will(session.client_id(), *session.will, std::nullopt));
    else
        batch.delete_will(session.client_id());
}

void LoopBroker::record_offline(Session& session) {
    if (!store_step_.enabled() || !session.stored) return;
    store::Batch& batch = store_step_.batch();
    std::optional<store::Deadline> expires_at;
    if (session.expiry) expires_at = stored::deadline_in(std::chrono::seconds(session.expiry->count()));
    batch.put_session(session_record(session, expires_at));
    if (session.will && session.will->due)
        batch.put_will(
            stored::will(session.client_id(), *session.will, stored::to_deadline(*session.will->due)));
    else
        batch.delete_will(session.client_id());
}

void LoopBroker::record_ended(Session& session) {
    if (!store_step_.enabled() || !session.stored) return;
    store_step_.batch().delete_session(session.client_id());
    session.stored = false;
    session.anchor()->stores.store(false, std::memory_order_relaxed);
}

void LoopBroker::record_will_gone(Session& session) {
    if (store_step_.enabled() && session.stored) store_step_.batch().delete_will(session.client_id());
}

Session& LoopBroker::restore_session(const AnchorPtr& anchor) {
    Session& session = create_session(anchor);
    session.stored = true;
    return session;
}

}  // namespace culex::broker
