#include "broker/session.hpp"

#include <algorithm>

#include "broker/mount_point.hpp"
#include "broker/packet_log.hpp"
#include "broker/store_step.hpp"
#include "broker/stored_records.hpp"
#include "log/logger.hpp"

namespace culex::broker {

using namespace culex::protocol;

Session::Session(AnchorPtr anchor, const BrokerSettings& settings)
    : anchor_(std::move(anchor)), settings_(settings) {}

void Session::attach(Client& client) {
    client_ = &client;
    offline_since.reset();
    anchor_->online.store(true, std::memory_order_relaxed);
}

void Session::detach() {
    client_ = nullptr;
    anchor_->online.store(false, std::memory_order_relaxed);
}

bool Session::window_full() const {
    // The smaller of our max_inflight_messages and the client's Receive Maximum (MQTT 5).
    std::size_t limit = receive_maximum;
    if (settings_.max_inflight_messages != 0)
        limit = std::min<std::size_t>(limit, settings_.max_inflight_messages);
    if (!flows_) return false;
    // As mosquitto.conf(5) says: a message larger than max_inflight_bytes still goes, alone.
    if (settings_.max_inflight_bytes != 0 && flows_->inflight_bytes >= settings_.max_inflight_bytes)
        return true;
    return flows_->inflight.size() >= limit;
}

bool Session::Flows::add(std::uint16_t packet_id, Outgoing out) {
    std::uint64_t bytes = out.message ? out.message->payload.size() : 0;
    if (!inflight.emplace(packet_id, std::move(out)).second) return false;
    inflight_bytes += bytes;
    return true;
}

void Session::Flows::erase(Inflight::iterator it) {
    if (it->second.message) inflight_bytes -= it->second.message->payload.size();
    inflight.erase(it);
}

void Session::Flows::payload_delivered(Inflight::iterator it) {
    if (it->second.message) inflight_bytes -= it->second.message->payload.size();
    it->second.message.reset();
}

std::uint16_t Session::next_packet_id() {
    // Skip 0 and ids still in flight.
    Flows& f = flows();
    do {
        f.last_packet_id = static_cast<std::uint16_t>(f.last_packet_id + 1);
    } while (f.last_packet_id == 0 || f.inflight.contains(f.last_packet_id));
    return f.last_packet_id;
}

bool Session::send_publish(const Outgoing& out) {
    DeliveryFields fields{out.qos, out.retain, out.dup, out.packet_id};
    if (const std::string& mount = settings_.listener(client_->listener).mount_point; !mount.empty()) {
        auto skip = unmounted_skip(mount, out.message->topic);
        if (!skip) return false;  // outside its listener's tree: never shown to it
        fields.topic_skip = static_cast<std::uint16_t>(*skip);
    }
    fields.subscription_identifiers = out.ids.span();
    if (out.message->expires_at)
        fields.message_expiry_interval = out.message->remaining_expiry(Message::Clock::now());
    ClientExtras* extras = client_->extras_if();
    OutgoingTopicAliases::Use alias;
    if (extras) alias = extras->outgoing_aliases.use(out.message->topic);
    fields.topic_alias = alias.alias;
    fields.omit_topic = alias.known;
    log_sending_publish(client_id(), *out.message, fields);
    if (client_->link->send_publish(*out.message, fields)) {
        if (extras) extras->outgoing_aliases.confirm(out.message->topic, alias);
        return true;
    }
    if (counters_) counters_->dropped(DropCause::too_large);
    culex::log::logger().log(culex::log::LogType::debug,
                             "Dropped PUBLISH to {} on '{}': larger than the client's Maximum Packet Size.",
                             client_id(), out.message->topic);
    return false;
}

void Session::send_pubrel(std::uint16_t packet_id) {
    client_->send(Pubrel{packet_id});
}

namespace {

// Mosquitto counts payload bytes only, and queues a message while the queue holds fewer bytes than the limit
// (so it may pass the limit by one message, itself bounded by message_size_limit).
std::uint64_t queued_size(const Message& message) {
    return message.payload.size();
}

}  // namespace

void Session::deliver(const MessagePtr& message, QoS qos, bool retain, SubscriptionIds ids, ShareKey share,
                      std::uint64_t stored_as) {
    Outgoing out{message, qos, retain, ids, std::move(share), 0, stored_as};
    if (stored_as != 0 && !stores()) {
        // Stored by the publisher's loop on a guess that this session keeps a stored queue; it does not.
        unstore(stored_as);
        out.sequence = 0;
    }
    if (message->expired_now()) return unstore(out.sequence);
    bool keep_qos0 = !online() && settings_.queue_qos0_messages && persistent();
    if (qos == QoS::at_most_once && !keep_qos0) {
        // An offline client misses it, unless queue_qos0_messages keeps it for a persistent session: then it
        // is queued below like QoS 1/2, within the same limits, as Mosquitto does.
        if (!online()) return;
        // A client that stopped reading: what it has not taken yet is all the broker holds for it.
        if (client_->link->unsent_bytes() >= settings_.output_buffer_limit)
            return note_dropped(DropCause::output_buffer);
        dropping_ = false;
        send_publish(out);
        return;
    }
    if (!online() || window_full() || !queue_.empty() || (tail_ && tail_->count > 0)) {
        std::uint64_t count = queue_.size() + stored_queue_count();
        std::uint64_t bytes = queued_bytes_ + (tail_ ? tail_->bytes : 0);
        bool full = (settings_.max_queued_messages != 0 && count >= settings_.max_queued_messages) ||
                    (settings_.max_queued_bytes != 0 && bytes >= settings_.max_queued_bytes);
        if (full) {
            unstore(out.sequence);
            return note_dropped(DropCause::queue_full);
        }
        dropping_ = false;
        if (queues_in_store()) return queue_in_store(out);
        queued_bytes_ += queued_size(*message);
        if (stores() && out.sequence == 0) {
            out.sequence = store_->next_sequence();
            store_->batch().enqueue(
                stored::queued(client_id(), out.sequence, *message, qos, retain, out.share));
        }
        queue_.push_back(std::move(out));
        return;
    }
    unstore(out.sequence);  // from the stored queue to in flight: send_inflight stores it as that
    send_inflight(std::move(out));
}

void Session::unstore(std::uint64_t sequence) {
    if (sequence != 0 && store_) store_->batch().dequeue(client_id(), sequence, sequence);
}

void Session::note_dropped(DropCause cause) {
    if (counters_) counters_->dropped(cause);
    if (dropping_) return;
    // Once per run of drops, in Mosquitto's words, so that a flood does not flood the log too.
    dropping_ = true;
    culex::log::logger().log(culex::log::LogType::notice,
                             "Outgoing messages are being dropped for client {}.", client_id());
}

void Session::send_inflight(Outgoing out) {
    out.packet_id = next_packet_id();
    // A QoS 2 PUBLISH to a stored session goes out only once its record is committed: the client keeps the
    // packet id until PUBREL, and a restart that had not stored it would reuse the id for another message,
    // which the client would then take for a resend of the first and never deliver.
    out.held = stores() && out.qos == QoS::exactly_once;
    if (!out.held && !send_publish(out)) return;  // too large for the client: dropped, not retried
    if (stores()) {
        // Resent after a restart until the client acknowledges it.
        if (out.sequence == 0) out.sequence = store_->next_sequence();
        store_->batch().put_inflight(stored::outgoing(client_id(), out.packet_id, out.sequence,
                                                      out.message.get(), out.qos, out.retain, out.share));
        if (out.held) store_->release_when_stored(anchor_, out.packet_id);
    }
    Flows& f = flows();
    std::uint16_t packet_id = out.packet_id;
    if (f.add(packet_id, std::move(out))) f.order.push_back(packet_id);
}

void Session::pump_queue() {
    while (online() && !queue_.empty() && !window_full()) {
        Outgoing out = std::move(queue_.front());
        queue_.pop_front();
        queued_bytes_ -= queued_size(*out.message);
        if (stores()) unstore(out.sequence);
        if (out.message->expired_now()) continue;  // expired while queued (MQTT 5 Message Expiry Interval)
        if (out.qos == QoS::at_most_once) {  // queued while offline (queue_qos0_messages): no flow to track
            send_publish(out);
            continue;
        }
        send_inflight(std::move(out));
    }
    if (online() && queue_.empty() && tail_ && tail_->count > 0) ask_for_page();
}

void Session::resume() {
    if (!online()) return;
    if (flows_) {
        for (auto id : flows_->order) {
            auto it = flows_->inflight.find(id);
            if (it == flows_->inflight.end()) continue;
            auto& out = it->second;
            if (out.held) continue;  // sent when its record is committed (release_held)
            if (out.awaiting_pubcomp) {
                send_pubrel(id);
            } else {
                out.dup = true;
                send_publish(out);
            }
        }
    }
    pump_queue();
}

namespace {

void forget(std::vector<std::uint16_t>& order, std::uint16_t id) {
    auto it = std::find(order.begin(), order.end(), id);
    if (it != order.end()) order.erase(it);
}

}  // namespace

void Session::on_puback(std::uint16_t packet_id) {
    if (!flows_) return;
    auto it = flows_->inflight.find(packet_id);
    if (it == flows_->inflight.end() || it->second.qos != QoS::at_least_once) return;
    forget_stored(packet_id);
    flows_->erase(it);
    forget(flows_->order, packet_id);
    pump_queue();
}

bool Session::on_pubrec(std::uint16_t packet_id) {
    Flows& f = flows();
    auto it = f.inflight.find(packet_id);
    if (it == f.inflight.end() || it->second.qos != QoS::exactly_once) {
        // Unknown id: still answer, so that the client can finish its flow (spec 4.3.3).
        if (online()) send_pubrel(packet_id);
        return false;
    }
    it->second.awaiting_pubcomp = true;
    f.payload_delivered(it);  // only the id remains to be released
    // Its bytes left max_inflight_bytes' window (its place in max_inflight_messages' stays until PUBCOMP).
    if (settings_.max_inflight_bytes != 0) pump_queue();
    if (stores()) {
        // PUBREL only once this is stored: the client forgets the id at PUBREL, and a restart that still
        // knew only "PUBLISH sent" would send the message again, under an id the client takes as new.
        store_->batch().put_inflight(stored::outgoing(client_id(), packet_id, it->second.sequence, nullptr,
                                                      it->second.qos, it->second.retain, it->second.share));
        return true;
    }
    if (online()) send_pubrel(packet_id);
    return false;
}

void Session::on_pubrec_refused(std::uint16_t packet_id) {
    if (!flows_) return;
    auto it = flows_->inflight.find(packet_id);
    if (it == flows_->inflight.end() || it->second.qos != QoS::exactly_once || it->second.awaiting_pubcomp)
        return;
    forget_stored(packet_id);
    flows_->erase(it);
    forget(flows_->order, packet_id);
    pump_queue();
}

void Session::on_pubcomp(std::uint16_t packet_id) {
    if (!flows_) return;
    auto it = flows_->inflight.find(packet_id);
    if (it == flows_->inflight.end() || !it->second.awaiting_pubcomp) return;
    forget_stored(packet_id);
    flows_->erase(it);
    forget(flows_->order, packet_id);
    pump_queue();
}

std::vector<std::pair<MessagePtr, ShareKey>> Session::take_unacknowledged_shared() {
    std::vector<std::pair<MessagePtr, ShareKey>> taken;
    if (flows_) {
        Flows& f = *flows_;
        for (auto id : f.order) {
            auto it = f.inflight.find(id);
            if (it == f.inflight.end() || !it->second.share || it->second.awaiting_pubcomp) continue;
            MessagePtr message = it->second.message;
            ShareKey share = std::move(it->second.share);
            f.erase(it);
            taken.emplace_back(std::move(message), std::move(share));
        }
        std::erase_if(f.order, [&](std::uint16_t id) { return !f.inflight.contains(id); });
    }
    queue_.remove_if([&](Outgoing& out) {
        if (!out.share) return false;
        queued_bytes_ -= queued_size(*out.message);
        taken.emplace_back(std::move(out.message), std::move(out.share));
        return true;
    });
    return taken;
}

void Session::release_held(std::uint16_t packet_id) {
    if (!flows_) return;
    auto it = flows_->inflight.find(packet_id);
    if (it == flows_->inflight.end() || !it->second.held) return;
    it->second.held = false;
    if (!online() || it->second.awaiting_pubcomp) return;  // resume() sends it
    if (send_publish(it->second)) return;
    // Too large for the client: dropped, as one that was never held would have been.
    forget_stored(packet_id);
    flows_->erase(it);
    forget(flows_->order, packet_id);
    pump_queue();
}

void Session::forget_stored(std::uint16_t packet_id) {
    if (stores()) store_->batch().delete_inflight(client_id(), store::Direction::outgoing, packet_id);
}

bool Session::hold_incoming(std::uint16_t packet_id, MessagePtr message) {
    auto [it, added] = flows().incoming_qos2.emplace(packet_id, std::move(message));
    // Stored until PUBREL: a restart in between still routes it once.
    if (added && stores())
        store_->batch().put_inflight(stored::incoming(client_id(), packet_id, *it->second));
    return added;
}

MessagePtr Session::release_incoming(std::uint16_t packet_id) {
    if (!flows_) return nullptr;
    auto it = flows_->incoming_qos2.find(packet_id);
    if (it == flows_->incoming_qos2.end()) return nullptr;
    MessagePtr message = std::move(it->second);
    flows_->incoming_qos2.erase(it);
    return message;
}

void Session::restore_outgoing(std::uint16_t packet_id, std::uint64_t sequence, MessagePtr message, QoS qos,
                               bool retain, ShareKey share, bool awaiting_pubcomp) {
    Flows& f = flows();
    Outgoing out{std::move(message), qos,  retain,          {}, std::move(share), packet_id,
                 sequence,           true, awaiting_pubcomp};
    if (f.add(packet_id, std::move(out))) f.order.push_back(packet_id);
}

}  // namespace culex::broker
