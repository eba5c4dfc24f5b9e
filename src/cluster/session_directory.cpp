#include "cluster/session_directory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "broker/loop_broker.hpp"
#include "cluster/client_ownership.hpp"
#include "cluster/subject_map.hpp"
#include "log/logger.hpp"

namespace culex::cluster {

using culex::log::logger;
using culex::log::LogType;

namespace {

constexpr const char* kBucket = "culex_sessions";
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

// Three copies where the NATS cluster has three servers, else one; kept on disk, without a TTL (a record
// says when its session expires).
std::expected<KeyValuePtr, std::string> open_bucket(jsCtx* jetstream) {
    kvStore* raw = nullptr;
    if (js_KeyValue(&raw, jetstream, kBucket) == NATS_OK) return KeyValuePtr(raw);
    natsStatus s = NATS_OK;
    for (int replicas : {3, 1}) {
        kvConfig config;
        kvConfig_Init(&config);
        config.Bucket = kBucket;
        config.History = 1;
        config.StorageType = js_FileStorage;
        config.Replicas = replicas;
        if ((s = js_CreateKeyValue(&raw, jetstream, &config)) == NATS_OK) return KeyValuePtr(raw);
    }
    if (js_KeyValue(&raw, jetstream, kBucket) == NATS_OK) return KeyValuePtr(raw);
    return std::unexpected(
        fmt::format("cluster: cannot open the JetStream KV bucket {}: {}", kBucket, nats_error(s)));
}

std::optional<std::uint64_t> number(std::string_view text) {
    std::uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// The words of a line, split at single spaces.
std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    while (true) {
        auto space = line.find(' ');
        out.push_back(line.substr(0, space));
        if (space == std::string_view::npos) return out;
        line.remove_prefix(space + 1);
    }
}

}  // namespace

// One line per field, a filter in hex (a filter may hold any UTF-8, newlines included):
//   home NODE:INCARNATION / node NODE / since SEQ / expires MS / sub QOS NO_LOCAL RAP ID HEX
std::string encode_session_record(const SessionRecord& record) {
    std::string text = fmt::format("home {}\nnode {}\nsince {}\nexpires {}\n", record.home, record.home_node,
                                   record.since, record.expires_at_ms);
    for (const auto& [filter, options] : record.subscriptions)
        text += fmt::format("sub {} {} {} {} {}\n", static_cast<int>(options.max_qos),
                            options.no_local ? 1 : 0, options.retain_as_published ? 1 : 0,
                            options.subscription_id, ClientOwnership::key_of(filter).substr(1));
    return text;
}

std::optional<SessionRecord> decode_session_record(std::string_view text) {
    SessionRecord record;
    while (!text.empty()) {
        auto end = text.find('\n');
        if (end == std::string_view::npos) return std::nullopt;
        auto line = words(text.substr(0, end));
        text.remove_prefix(end + 1);
        if (line.size() == 2 && line[0] == "home") {
            record.home = line[1];
        } else if (line.size() == 2 && line[0] == "node") {
            record.home_node = line[1];
        } else if (line.size() == 2 && line[0] == "since") {
            auto value = number(line[1]);
            if (!value) return std::nullopt;
            record.since = *value;
        } else if (line.size() == 2 && line[0] == "expires") {
            auto value = number(line[1]);
            if (!value) return std::nullopt;
            record.expires_at_ms = static_cast<std::int64_t>(*value);
        } else if (line.size() == 6 && line[0] == "sub") {
            auto qos = number(line[1]);
            auto id = number(line[4]);
            std::string filter = ClientOwnership::client_id_of("c" + std::string(line[5]));
            if (!qos || *qos > 2 || !id || filter.empty()) return std::nullopt;
            broker::SubscriptionOptions options{static_cast<protocol::QoS>(*qos), line[2] == "1",
                                                line[3] == "1", static_cast<std::uint32_t>(*id)};
            record.subscriptions.push_back({std::move(filter), options});
        } else {
            return std::nullopt;
        }
    }
    return record;
}

std::expected<std::unique_ptr<SessionDirectory>, std::string> SessionDirectory::start(
    natsConnection* connection, jsCtx* jetstream, broker::Broker& broker, MessageStream& stream,
    std::string node, std::string incarnation) {
    auto bucket = open_bucket(jetstream);
    if (!bucket) return std::unexpected(bucket.error());
    std::unique_ptr<SessionDirectory> directory(new SessionDirectory(
        connection, std::move(*bucket), broker, stream, std::move(node), std::move(incarnation)));
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
                                   MessageStream& stream, std::string node, std::string incarnation)
    : connection_(connection),
      bucket_(std::move(bucket)),
      broker_(broker),
      stream_(stream),
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
    while (true) {
        wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
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
        }
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
    SessionRecord record{home_, node_, *last + 1, 0, session.subscriptions};
    if (session.expiry_seconds)
        record.expires_at_ms = now_ms() + static_cast<std::int64_t>(*session.expiry_seconds) * 1000;
    std::string text = encode_session_record(record);
    std::string key = ClientOwnership::key_of(session.client_id);
    std::uint64_t revision = 0;
    if (natsStatus s = kvStore_PutString(&revision, bucket_.get(), key.c_str(), text.c_str()); s != NATS_OK) {
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
    if (!record) return;
    if (connected.session_present || connected.clean_start ||
        (record->expires_at_ms != 0 && record->expires_at_ms <= now_ms()))
        return forget(key, record, connected.client_id);
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
