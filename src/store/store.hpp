// The persistence interface: what the broker stores (sessions, subscriptions, queued and in-flight messages,
// retained messages, wills) and gets back at restart. Implementations: MemoryStore (tests), SqliteStore (the
// embedded default), later one on NATS JetStream (cluster). Nothing here speaks of SQL or files.
//
// Threading: a Store is used by one thread at a time. The broker's event loops never call it: they hand
// batches to the Writer (store/writer.hpp), whose thread is the only user once the broker runs; load() is
// called once at start, before the loops run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/batch.hpp"
#include "store/records.hpp"
#include "store/recovery.hpp"

namespace culex::store {

struct StoreError {
    enum class Kind {
        unavailable,  // the file or directory cannot be opened or written (path, cause, fix in message)
        busy,         // another process holds the store
        too_new,      // written by a newer culex (a format version this one does not know)
        not_a_store,  // the file is something else (a Mosquitto persistence file, say): left untouched
        io,           // a read or write failed while running (disk full, I/O error)
        too_large,    // a value passed the store's size limit; nothing of the commit was applied
    };
    Kind kind;
    std::string message;  // one sentence or two: what, where, why, and the fix
};

// A session's queued messages, without their bodies: the broker keeps large queues on disk and pages them in
// with read_queue().
struct QueueSummary {
    std::string client_id;
    std::uint64_t count = 0;
    std::uint64_t bytes = 0;  // topic + payload + properties
    std::uint64_t first_sequence = 0;
    std::uint64_t last_sequence = 0;

    bool operator==(const QueueSummary&) const = default;
};

// Everything the broker needs at restart, except queued message bodies.
struct LoadedState {
    std::vector<RetainedRecord> retained;
    std::vector<SessionRecord> sessions;
    std::vector<SubscriptionRecord> subscriptions;
    std::vector<InflightRecord> inflight;
    std::vector<WillRecord> wills;
    std::vector<QueueSummary> queues;  // one per session with queued messages, by client id
    Recovery recovery;
};

struct QueueRequest {
    std::string client_id;
    std::uint64_t after_sequence = 0;  // 0: from the start (sequences begin at 1)
    std::size_t max_count = 1000;
    // Stops before the message that would pass it, but always returns at least one when there is one.
    std::size_t max_bytes = 1 << 20;
};

struct QueuePage {
    std::vector<QueuedMessage> messages;  // in sequence order
    // Where the next page starts: the last sequence looked at, dropped rows included.
    std::uint64_t last_sequence = 0;
    bool more = false;  // messages remain after this page
    // Rows found damaged in this page (checksum mismatch): skipped, and named here for the log.
    std::vector<Recovery::Dropped> dropped;
};

class Store {
  public:
    virtual ~Store() = default;

    // Applies every batch, in order, in one transaction: all of them or none. On success they are as durable
    // as the store's sync mode promises.
    virtual std::expected<void, StoreError> commit(std::span<const Batch* const> batches) = 0;
    std::expected<void, StoreError> commit(const Batch& batch) {
        const Batch* one = &batch;
        return commit(std::span<const Batch* const>(&one, 1));
    }

    // Everything stored, for the start of the broker. Damaged records are dropped and reported in
    // LoadedState::recovery, together with what the store found when it opened.
    virtual std::expected<LoadedState, StoreError> load() = 0;

    virtual std::expected<QueuePage, StoreError> read_queue(const QueueRequest& request) = 0;

    // "memory", "sqlite PATH": for the log.
    virtual std::string describe() const = 0;
};

}  // namespace culex::store
