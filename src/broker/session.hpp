// One client's session: its subscriptions, its will, and the QoS 1/2 state machines in both directions.
// Owned by one event loop at a time (see SessionAnchor); lives on while the client is offline when the client
// asked for a persistent session.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker/client.hpp"
#include "broker/lazy_queue.hpp"
#include "broker/loop_counters.hpp"
#include "broker/message.hpp"
#include "broker/session_anchor.hpp"
#include "broker/settings.hpp"
#include "broker/subscription_tree.hpp"
#include "store/store.hpp"

namespace culex::broker {

class StoreStep;

class Session {
  public:
    Session(AnchorPtr anchor, const BrokerSettings& settings);

    const std::string& client_id() const { return anchor_->client_id; }
    const AnchorPtr& anchor() const { return anchor_; }

    // --- connection ---
    bool online() const { return client_ != nullptr; }
    Client* client() const { return client_; }
    void attach(Client& client);
    void detach();
    // Resends what was in flight (PUBLISH with DUP, or PUBREL), then what was queued while offline.
    void resume();

    // How long the session outlives its connection: 0 ends it with the connection (clean session); nullopt
    // keeps it forever.
    // Seconds in 32 bits, as MQTT counts them: 8 bytes with the optional's flag instead of 16.
    std::optional<std::chrono::duration<std::uint32_t>> expiry{std::chrono::seconds(0)};
    bool persistent() const { return !expiry || expiry->count() > 0; }
    std::optional<std::chrono::steady_clock::time_point> offline_since;

    // The will, and when it is due: `due` is set while it waits out its Will Delay Interval (MQTT 5) after
    // the connection was lost (a reconnection in time cancels it). On the heap, the time with it: most
    // sessions have no will, and every connected client has a session.
    struct DelayedWill : protocol::Will {
        explicit DelayedWill(protocol::Will&& will) : protocol::Will(std::move(will)) {}
        std::optional<std::chrono::steady_clock::time_point> due;
    };
    std::unique_ptr<DelayedWill> will;

    // Who owns the session, for the ACL's read check at delivery (also while offline): the user name and
    // the listener of its latest connection.
    UserName username;
    int listener = 0;
    protocol::ProtocolVersion version = protocol::ProtocolVersion::v311;  // of its latest connection
    // The store holds a record of this session (put_session was issued). Here, beside `version`, where it
    // fills padding: a session per connected client.
    bool stored = false;
    // The client's Receive Maximum (MQTT 5; 65535 when it sets none): QoS 1/2 messages in flight to it at
    // most, besides our own max_inflight_messages.
    std::uint16_t receive_maximum = 65535;

    // Filters this session subscribes to, so that they leave the tree with it. Created by the first
    // SUBSCRIBE: many devices only ever publish.
    using Filters = std::map<std::string, SubscriptionOptions, std::less<>>;
    std::unique_ptr<Filters> subscriptions;
    Filters& filters() {
        if (!subscriptions) subscriptions = std::make_unique<Filters>();
        return *subscriptions;
    }

    // --- outgoing messages (broker -> client) ---
    // Sends at `qos` now, or queues it when offline or when the in-flight window is full. `share`: the shared
    // subscription it came through, if any. `stored_as`: the sequence under which the publisher's loop
    // already put it in this session's stored queue (0: not stored; the session stores it itself if it must).
    void deliver(const MessagePtr& message, protocol::QoS qos, bool retain, SubscriptionIds ids,
                 ShareKey share = nullptr, std::uint64_t stored_as = 0);
    // The messages that came through a shared subscription and that the client has not acknowledged (QoS 1)
    // or received (QoS 2, no PUBREC yet), in flight or queued, taken out of the session as it ends so that
    // another member of the group gets them (spec 4.8.2).
    std::vector<std::pair<MessagePtr, ShareKey>> take_unacknowledged_shared();
    // The client acknowledged an outgoing message. Unknown ids are ignored, as the spec allows.
    void on_puback(std::uint16_t packet_id);
    // True when the PUBREL must wait until the new state is stored: the caller sends it after the commit.
    bool on_pubrec(std::uint16_t packet_id);
    // A PUBREC with an error reason (MQTT 5): the flow ends there, without PUBREL (spec 4.3.3).
    void on_pubrec_refused(std::uint16_t packet_id);
    void on_pubcomp(std::uint16_t packet_id);

    std::size_t inflight_count() const { return flows_ ? flows_->inflight.size() : 0; }
    std::size_t queued_count() const { return queue_.size(); }
    std::uint64_t queued_bytes() const { return queued_bytes_; }

    // --- incoming QoS 2 (client -> broker): held from PUBLISH until PUBREL, then routed ---
    // Returns false when the packet id is already held (a DUP resend: acknowledge but do not store twice).
    bool hold_incoming(std::uint16_t packet_id, MessagePtr message);
    bool holds_incoming(std::uint16_t packet_id) const {
        return flows_ && flows_->incoming_qos2.contains(packet_id);
    }
    std::size_t incoming_count() const { return flows_ ? flows_->incoming_qos2.size() : 0; }
    // Returns the held message (null if none) and forgets the id.
    MessagePtr release_incoming(std::uint16_t packet_id);

    // --- persistence ---
    // The step of the owning loop through which the session stores its queue and in-flight state while it is
    // persistent (null: no store). Set by the loop that owns it.
    void use_store(StoreStep* step) { store_ = step; }
    // The counters of the loop that owns it, where its drops are counted. Set by that loop.
    void count_drops_in(LoopCounters& counters) { counters_ = &counters; }
    // Its state goes to the store: there is one, and the session outlives its connection.
    // A session that the store holds keeps storing while its connection lasts even if it now asks for no
    // expiry (MQTT 5 Session Expiry 0 on a resume): what waited for it in the store is served from there, and
    // it ends, records and all, with that connection.
    bool stores() const { return store_ != nullptr && (persistent() || stored); }
    // At restart (before the loops run), in the order the store gives them.
    void restore_outgoing(std::uint16_t packet_id, std::uint64_t sequence, MessagePtr message,
                          protocol::QoS qos, bool retain, ShareKey share, bool awaiting_pubcomp);
    // At restart: what the store holds of its queue (nothing of it is read until a client takes it).
    void restore_stored_queue(std::uint64_t count, std::uint64_t bytes);
    // Messages of its queue that live only in the store (session_stored_queue.cpp).
    std::uint64_t stored_queue_count() const { return tail_ ? tail_->count : 0; }
    // A page of its stored queue, asked for by ask_for_page(), has been read (or failed to be).
    void take_page(std::expected<store::QueuePage, store::StoreError> page);
    // The record of held QoS 2 PUBLISH `packet_id` is committed: it goes out now (or at the next resume).
    void release_held(std::uint16_t packet_id);

  private:
    friend class SessionList;

    struct Outgoing {
        MessagePtr message;
        protocol::QoS qos;
        bool retain;
        SubscriptionIds ids;
        ShareKey share;
        std::uint16_t packet_id = 0;
        std::uint64_t sequence = 0;  // its order in the store (queue and resend order); 0: not stored
        bool dup = false;
        bool awaiting_pubcomp = false;  // QoS 2: PUBREC received, PUBREL sent
        bool held = false;              // QoS 2 to a stored session: not sent until its record is committed
    };

    bool window_full() const;
    std::uint16_t next_packet_id();
    // False when the message was too large for the client and not sent.
    bool send_publish(const Outgoing& out);
    void send_inflight(Outgoing out);
    void send_pubrel(std::uint16_t packet_id);
    void pump_queue();
    void note_dropped(DropCause cause);
    // An outgoing exchange ended: its in-flight record goes from the store.
    void forget_stored(std::uint16_t packet_id);
    // The queued record `sequence` (0: none) goes from the store: the message was dropped, or is sent now.
    void unstore(std::uint64_t sequence);

    // session_stored_queue.cpp: a stored session's queue beyond what memory holds. An offline stored session
    // keeps its queue only in the store, an online one up to kMemoryQueue messages in memory; the rest is
    // paged in as the client takes what memory holds, so that a long outage costs disk, not RAM.
    struct StoredTail {
        std::uint64_t count = 0;  // messages (an upper bound: a page may hold some counted twice, harmless)
        std::uint64_t bytes = 0;  // their payload bytes, for max_queued_bytes
        bool reading = false;     // a page is being read
        bool arrived_while_reading = false;
    };
    static constexpr std::size_t kMemoryQueue = 1000;
    static constexpr std::size_t kPageMessages = 500;
    static constexpr std::size_t kPageBytes = 1u << 20;
    // The message goes to the stored tail instead of memory: offline, or the tail is not empty (order), or
    // memory holds enough.
    bool queues_in_store() const;
    void queue_in_store(Outgoing& out);
    void ask_for_page();

    // QoS 1/2 state in both directions, created by the first QoS 1/2 message: a session that only ever sees
    // QoS 0 (most idle devices) carries a pointer instead of three containers.
    struct Flows {
        using Inflight = std::map<std::uint16_t, Outgoing>;
        std::uint16_t last_packet_id = 0;
        Inflight inflight;                 // by packet id; resend order is `order`
        std::vector<std::uint16_t> order;  // short (the in-flight window): a vector is enough
        std::map<std::uint16_t, MessagePtr> incoming_qos2;
        // Payload bytes in flight whose delivery the client has not confirmed (PUBACK, or PUBREC for QoS 2):
        // what max_inflight_bytes limits. Kept by these three, so that every way out of the window counts.
        std::uint64_t inflight_bytes = 0;
        bool add(std::uint16_t packet_id, Outgoing out);  // false: the id was in flight already
        void erase(Inflight::iterator it);
        void payload_delivered(Inflight::iterator it);  // PUBREC: only the id remains
    };
    Flows& flows() {
        if (!flows_) flows_ = std::make_unique<Flows>();
        return *flows_;
    }

    AnchorPtr anchor_;
    const BrokerSettings& settings_;
    Client* client_ = nullptr;
    std::unique_ptr<Flows> flows_;
    LazyQueue<Outgoing> queue_;
    std::uint64_t queued_bytes_ = 0;  // topic and payload of what queue_ holds, for max_queued_bytes
    bool dropping_ = false;           // the drop was logged; logged again after a delivery goes through
    std::uint32_t list_slot_ = 0;     // its place in the owning loop's SessionList
    StoreStep* store_ = nullptr;
    LoopCounters* counters_ = nullptr;
    std::unique_ptr<StoredTail> tail_;  // created by the first message queued only in the store
};

}  // namespace culex::broker
