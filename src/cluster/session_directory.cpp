#include "cluster/session_directory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "broker/loop_broker.hpp"
#include "cluster/client_ownership.hpp"
#include "cluster/kv_bucket.hpp"
#include "cluster/subject_map.hpp"
#include "log/logger.hpp"

namespace culex::cluster {

using culex::log::logger;
using culex::log::LogType;

namespace {

constexpr std::string_view kDropPrefix = "culex.session.drop.";
// The most messages one resumed session is given from the stream (besides max_queued_messages).
constexpr std::size_t kMaxBacklog = 100'000;

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string drop_subject(std::string_view node) {
    return std::string(kDropPrefix) + ClientOwnership::key_of(node);
}

}  // namespace

std::expected<std::unique_ptr<SessionDirectory>, std::string> SessionDirectory::start(
    natsConnection* connection, jsCtx* jetstream, broker::Broker& broker, MessageStream& stream,
    const NodeClaim& nodes, std::string node, std::string incarnation, int replicas) {
    auto bucket = open_file_bucket(jetstream, kSessionBucket, replicas);
    if (!bucket) return std::unexpected(bucket.error());
    std::unique_ptr<SessionDirectory> directory(new SessionDirectory(
        connection, std::move(*bucket), broker, stream, nodes, std::move(node), std::move(incarnation)));
    natsSubscription* raw = nullptr;
    std::string subject = drop_subject(directory->node_);
    if (natsStatus s = natsConnection_Subscribe(&raw, connection, subject.c_str(), on_drop, directory.get());
        s != NATS_OK)
        return std::unexpected(fmt::format("cluster: cannot subscribe on {}: {}", subject, nats_error(s)));
    directory->drops_.reset(raw);
    directory->thread_ = std::thread([raw = directory.get()] { raw->run(); });
    return directory;
}

SessionDirectory::SessionDirectory(natsConnection* connection, KeyValuePtr bucket, broker::Broker& broker,
                                   MessageStream& stream, const NodeClaim& nodes, std::string node,
                                   std::string incarnation)
    : connection_(connection),
      bucket_(std::move(bucket)),
      broker_(broker),
      stream_(stream),
      nodes_(nodes),
      node_(std::move(node)),
      home_(node_ + ":" + incarnation),
      // What the session could queue anyway (read here, before the loops run: a reload may change it).
      backlog_limit_(broker.settings().max_queued_messages == 0
                         ? kMaxBacklog
                         : std::min<std::size_t>(kMaxBacklog, broker.settings().max_queued_messages)) {}

SessionDirectory::~SessionDirectory() {
    stop();
}

void SessionDirectory::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (drops_) natsSubscription_Unsubscribe(drops_.get());
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    stopped_ = true;
}

void SessionDirectory::offline(broker::ClusterSession session) {
    push(Offline{std::move(session)});
}

void SessionDirectory::online(broker::ClusterSession session) {
    push(Online{std::move(session)});
}

void SessionDirectory::connected(std::string client_id, int loop, bool clean_start, bool session_present) {
    push(Connected{std::move(client_id), loop, clean_start, session_present});
}

void SessionDirectory::expired(std::string client_id) {
    push(Expired{std::move(client_id)});
}

void SessionDirectory::push(Task task) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || stopped_) return;
        tasks_.push_back(std::move(task));
    }
    wake_.notify_one();
}

void SessionDirectory::run() {
    std::unique_lock lock(mutex_);
    auto next_checkpoint = std::chrono::steady_clock::now() + kCheckpoint;
    while (true) {
        if (!wake_.wait_until(lock, next_checkpoint, [this] { return stopping_ || !tasks_.empty(); })) {
            lock.unlock();
            checkpoint();
            lock.lock();
            next_checkpoint = std::chrono::steady_clock::now() + kCheckpoint;
            continue;
        }
        // At a clean stop the sessions its clients left are still recorded, so that they resume elsewhere
        // (while NATS is in reach: each request would wait for it).
        if (stopping_ && (tasks_.empty() || natsConnection_Status(connection_) != NATS_CONN_STATUS_CONNECTED))
            return;
        Task task = std::move(tasks_.front());
        tasks_.pop_front();
        bool resuming_allowed = !stopping_;
        lock.unlock();
        if (auto* connected = std::get_if<Connected>(&task); connected && !resuming_allowed) {
            lock.lock();
            continue;  // its client is gone with the loops
        }
        if (auto* offline = std::get_if<Offline>(&task)) write_offline(offline->session);
        if (auto* connected = std::get_if<Connected>(&task)) on_connected(*connected);
        if (auto* expired = std::get_if<Expired>(&task)) {
            std::string key = ClientOwnership::key_of(expired->client_id);
            kvStore_Delete(bucket_.get(), key.c_str());
            held_.erase(expired->client_id);
        }
        if (auto* online = std::get_if<Online>(&task)) write_online(online->session);
        if (auto* settled = std::get_if<Settled>(&task)) move_forward(*settled);
        lock.lock();
    }
}

void SessionDirectory::write_offline(const broker::ClusterSession& session) {
    auto last = stream_.last_sequence();
    if (!last) {
        logger().log(
            LogType::warning,
            "Warning: cluster: the session of client {} is not recorded in JetStream (no answer from "
            "the stream {}): it resumes only on this node.",
            session.client_id, MessageStream::kStream);
        return;
    }
    auto held = held_.extract(session.client_id);
    SessionRecord record{home_, node_, false, *last + 1, 0, session.expiry_seconds, session.subscriptions};
    // What its client had not acknowledged is resent by the node it resumes on: from the last checkpoint.
    if (!session.settled && held && held.mapped().since != 0)
        record.since = std::min(record.since, held.mapped().since);
    if (session.expiry_seconds)
        record.expires_at_ms = now_ms() + static_cast<std::int64_t>(*session.expiry_seconds) * 1000;
    std::string text = encode_session_record(record);
    std::string key = ClientOwnership::key_of(session.client_id);
    std::uint64_t revision = 0;
    natsStatus s = held && held.mapped().revision != 0
                       ? kvStore_UpdateString(&revision, bucket_.get(), key.c_str(), text.c_str(),
                                              held.mapped().revision)
                       : kvStore_PutString(&revision, bucket_.get(), key.c_str(), text.c_str());
    if (s != NATS_OK && held && held.mapped().revision != 0) {
        // Written by another node since: its client connected there meanwhile (a takeover): the session is
        // that node's now, and the copy here goes.
        logger().log(LogType::debug, "Cluster: session of client {} was taken by another node: ended here.",
                     session.client_id);
        return drop_here(session.client_id);
    }
    if (s != NATS_OK) {
        logger().log(
            LogType::warning,
            "Warning: cluster: the session of client {} is not recorded in JetStream ({}): it resumes "
            "only on this node.",
            session.client_id, nats_error(s));
        return;
    }
    recorded_.fetch_add(1, std::memory_order_relaxed);
    // Said, so that a test can wait for it: the record is written in the background.
    logger().log(LogType::debug, "Cluster: session of client {} recorded (stream sequence {} on).",
                 session.client_id, record.since);
}

void SessionDirectory::write_online(const broker::ClusterSession& session) {
    Held& held = held_[session.client_id];
    if (held.since == 0) {
        auto last = stream_.last_sequence();
        if (!last) {
            held_.erase(session.client_id);
            logger().log(
                LogType::warning,
                "Warning: cluster: the session of client {} is not recorded in JetStream while it is "
                "connected (no answer from the stream {}): if this node dies, it is lost.",
                session.client_id, MessageStream::kStream);
            return;
        }
        held.since = *last + 1;
    }
    held.record =
        SessionRecord{home_, node_, true, held.since, 0, session.expiry_seconds, session.subscriptions};
    if (write_held(session.client_id, held))
        logger().log(LogType::debug, "Cluster: session of client {} recorded (stream sequence {} on).",
                     session.client_id, held.since);
}

bool SessionDirectory::write_held(const std::string& client_id, Held& held) {
    held.record.since = held.since;
    std::string text = encode_session_record(held.record);
    std::string key = ClientOwnership::key_of(client_id);
    std::uint64_t revision = 0;
    natsStatus s =
        held.revision != 0
            ? kvStore_UpdateString(&revision, bucket_.get(), key.c_str(), text.c_str(), held.revision)
            : kvStore_PutString(&revision, bucket_.get(), key.c_str(), text.c_str());
    if (s == NATS_OK) {
        held.revision = revision;
        return true;
    }
    // Another node wrote it since (the client connected there), or JetStream did not answer: either way
    // this node writes it no more while this connection lasts.
    logger().log(LogType::debug, "Cluster: session of client {} no longer recorded from this node: {}.",
                 client_id, nats_error(s));
    held_.erase(client_id);
    return false;
}

// Every kCheckpoint: the stream's end now, and the loops' settled sessions, whose records move on to the
// end read at the previous checkpoint (a second ago: what was stored before it has reached this node's
// subscribers long since, so a settled session acknowledged it).
void SessionDirectory::checkpoint() {
    if (held_.empty()) {
        last_checkpoint_.reset();
        return;
    }
    auto last = stream_.last_sequence();
    if (!last) return;
    std::optional<std::uint64_t> upto = std::exchange(last_checkpoint_, last);
    if (!upto) return;
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    for (int loop = 0; loop < broker_.loop_count(); ++loop)
        broker_.post(loop, [this, loop, upto = *upto] {
            push(Settled{broker_.loop(loop).settled_cluster_sessions(), upto});
        });
}

void SessionDirectory::move_forward(const Settled& settled) {
    for (const auto& client_id : settled.client_ids) {
        auto found = held_.find(client_id);
        if (found == held_.end() || found->second.since > settled.upto) continue;
        found->second.since = settled.upto + 1;
        if (write_held(client_id, found->second))
            logger().log(LogType::debug,
                         "Cluster: session of client {} checkpointed (stream sequence {} on).", client_id,
                         settled.upto + 1);
    }
}

void SessionDirectory::drop_here(const std::string& client_id) {
    held_.erase(client_id);
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    for (int loop = 0; loop < broker_.loop_count(); ++loop)
        broker_.post(loop,
                     [&broker = broker_, loop, client_id] { broker.loop(loop).drop_for_cluster(client_id); });
}

std::optional<SessionRecord> SessionDirectory::final_record(const std::string& key, SessionRecord record) {
    if (!nodes_.is_live(record.home_node, incarnation_of_home(record.home))) return record;  // died with it
    std::string holder = record.home;
    auto deadline = std::chrono::steady_clock::now() + kFinalRecordWait;
    while (std::chrono::steady_clock::now() < deadline) {
        // The holder closes its connection once it sees this node's claim of the id (client_ownership),
        // then writes the record offline: milliseconds.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        auto now = read_record(key);
        if (!now || !now->online || now->home != holder) return now;
        record = std::move(*now);
    }
    logger().log(
        LogType::warning,
        "Warning: cluster: node {} did not record the session of client {} as offline within {} ms: it "
        "resumes from that node's last checkpoint.",
        record.home_node, ClientOwnership::client_id_of(key), kFinalRecordWait.count());
    return record;
}

std::optional<SessionRecord> SessionDirectory::read_record(const std::string& key) {
    kvEntry* entry = nullptr;
    if (kvStore_Get(&entry, bucket_.get(), key.c_str()) != NATS_OK || !entry) return std::nullopt;
    std::string_view text(static_cast<const char*>(kvEntry_Value(entry)),
                          static_cast<std::size_t>(kvEntry_ValueLen(entry)));
    auto record = decode_session_record(text);
    kvEntry_Destroy(entry);
    return record;
}

void SessionDirectory::forget(const std::string& key, const std::optional<SessionRecord>& record,
                              const std::string& client_id) {
    kvStore_Delete(bucket_.get(), key.c_str());
    if (!record || record->home == home_ || record->home_node.empty()) return;
    std::string subject = drop_subject(record->home_node);
    natsConnection_Publish(connection_, subject.c_str(), client_id.data(),
                           static_cast<int>(client_id.size()));
}

void SessionDirectory::on_connected(const Connected& connected) {
    std::string key = ClientOwnership::key_of(connected.client_id);
    auto record = read_record(key);
    if (record && record->online && record->home != home_ && !connected.session_present &&
        !connected.clean_start)
        record = final_record(key, std::move(*record));
    if (!record) return;
    if (connected.session_present && record->home == home_) {
        // Its own session, back: what it had not acknowledged is resent here from the queue, and from the
        // record's point on if this node dies.
        held_[connected.client_id].since = record->since;
        return forget(key, record, connected.client_id);
    }
    bool expired = !record->online && record->expires_at_ms != 0 && record->expires_at_ms <= now_ms();
    if (connected.session_present || connected.clean_start || expired)
        return forget(key, record, connected.client_id);
    held_[connected.client_id].since = record->since;  // resent here, and from there on if this node dies
    resume(connected, *record);
    forget(key, record, connected.client_id);
}

void SessionDirectory::resume(const Connected& connected, const SessionRecord& record) {
    std::vector<std::string> subjects;
    for (const auto& [filter, options] : record.subscriptions) {
        // Shared subscriptions' messages went to the group's other members meanwhile.
        if (options.max_qos == protocol::QoS::at_most_once || filter.starts_with("$share/")) continue;
        for (auto& subject : subjects_from_filter(MessageStream::kPrefix, filter))
            subjects.push_back(std::move(subject));
    }
    broker::ClusterBacklog backlog{record.subscriptions, {}};
    if (!subjects.empty()) {
        auto stored = stream_.read(subjects, record.since, backlog_limit_);
        if (!stored)
            logger().log(
                LogType::warning,
                "Warning: cluster: the messages client {} missed could not be read from JetStream: {}.",
                connected.client_id, stored.error());
        else
            for (auto& [sequence, message] : *stored)
                backlog.messages.push_back(std::move(message));
    }
    resumed_.fetch_add(1, std::memory_order_relaxed);
    logger().log(LogType::notice,
                 "Cluster: client {} resumed its session from node {}: {} subscriptions, {} messages it "
                 "missed.",
                 connected.client_id, record.home_node, backlog.subscriptions.size(),
                 backlog.messages.size());
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    broker_.post(connected.loop, [&broker = broker_, loop = connected.loop, client_id = connected.client_id,
                                  backlog = std::move(backlog)]() mutable {
        broker.loop(loop).resume_from_cluster(client_id, std::move(backlog));
    });
}

void SessionDirectory::on_drop(natsConnection*, natsSubscription*, natsMsg* message, void* closure) {
    MessagePtr owned(message);
    auto* self = static_cast<SessionDirectory*>(closure);
    std::string client_id(natsMsg_GetData(message), static_cast<std::size_t>(natsMsg_GetDataLength(message)));
    std::lock_guard lock(self->mutex_);  // held while posting: stop() waits for it
    if (self->stopping_) return;
    broker::Broker& broker = self->broker_;
    for (int loop = 0; loop < broker.loop_count(); ++loop)
        broker.post(loop, [&broker, loop, client_id] { broker.loop(loop).drop_for_cluster(client_id); });
}

}  // namespace culex::cluster
