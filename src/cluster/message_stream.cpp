#include "cluster/message_stream.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cluster/stream_settings.hpp"
#include "log/logger.hpp"

namespace culex::cluster {

using culex::log::logger;
using culex::log::LogType;

namespace {

constexpr std::int64_t kReadWaitMs = 5000;  // for each message of a read, at most

std::expected<void, std::string> ensure_stream(jsCtx* jetstream, const MessageStream::Bounds& bounds) {
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    auto nanoseconds = [](std::chrono::seconds age) {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(age).count();
    };
    // 0: what the stream has (update_stream leaves it).
    std::int64_t max_age_ns = bounds.max_age ? nanoseconds(*bounds.max_age) : 0;
    std::int64_t max_bytes = bounds.max_bytes.value_or(0);
    if (js_GetStreamInfo(&info, jetstream, MessageStream::kStream, nullptr, &code) == NATS_OK) {
        StreamInfoPtr owned(info);
        return update_stream(jetstream, MessageStream::kStream, bounds.replicas, max_age_ns, max_bytes);
    }
    std::string subjects = std::string(MessageStream::kPrefix) + ">";
    const char* subject_list[] = {subjects.c_str()};
    natsStatus s = NATS_OK;
    for (int replicas : replica_choices(bounds.replicas)) {
        jsStreamConfig config;
        jsStreamConfig_Init(&config);
        config.Name = MessageStream::kStream;
        config.Subjects = subject_list;
        config.SubjectsLen = 1;
        config.Storage = js_FileStorage;
        config.Replicas = replicas;
        config.MaxAge = nanoseconds(bounds.max_age.value_or(MessageStream::kDefaultMaxAge));
        config.MaxBytes = bounds.max_bytes.value_or(MessageStream::kDefaultMaxBytes);
        config.Discard = js_DiscardOld;
        s = js_AddStream(&info, jetstream, &config, nullptr, &code);
        if (s == NATS_OK) {
            StreamInfoPtr owned(info);
            return {};
        }
    }
    if (js_GetStreamInfo(&info, jetstream, MessageStream::kStream, nullptr, &code) == NATS_OK) {
        StreamInfoPtr owned(info);  // another node made it meanwhile
        return update_stream(jetstream, MessageStream::kStream, bounds.replicas, max_age_ns, max_bytes);
    }
    return std::unexpected(
        fmt::format("cluster: cannot create the JetStream stream {} for QoS 1/2 messages: {}: {}",
                    MessageStream::kStream, nats_error(s), creation_hint(bounds.replicas)));
}

}  // namespace

std::expected<std::unique_ptr<MessageStream>, std::string> MessageStream::start(natsConnection* connection,
                                                                                jsCtx* jetstream,
                                                                                const Bounds& bounds) {
    if (auto made = ensure_stream(jetstream, bounds); !made) return std::unexpected(made.error());
    std::unique_ptr<MessageStream> stream(new MessageStream(connection, jetstream));
    jsOptions options;
    jsOptions_Init(&options);
    options.PublishAsync.AckHandler = on_ack;
    options.PublishAsync.AckHandlerClosure = stream.get();
    options.Wait = kAckWaitMs;
    jsCtx* publisher = nullptr;
    if (natsStatus s = natsConnection_JetStream(&publisher, connection, &options); s != NATS_OK)
        return std::unexpected(
            fmt::format("cluster: no JetStream context for QoS 1/2 messages: {}", nats_error(s)));
    stream->publisher_.reset(publisher);
    return stream;
}

MessageStream::~MessageStream() {
    stop();
}

void MessageStream::store(const broker::Message& message, const std::string& subject, const Origin& origin,
                          broker::FencePtr fence) {
    bool reachable = natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED;
    std::expected<MessagePtr, std::string> made = std::unexpected(std::string());
    if (reachable) made = to_nats(message, subject, origin);
    if (reachable && !made) {
        logger().log(LogType::warning, "Warning: cluster: message to '{}' not stored in JetStream: {}.",
                     message.topic, made.error());
        if (fence) fence->fail();
        return;
    }
    natsMsg* raw = reachable ? made->release() : nullptr;
    {
        std::lock_guard lock(mutex_);
        if (!reachable) {
            if (!away_)
                logger().log(LogType::warning,
                             "Warning: cluster: NATS is out of reach: QoS 1/2 messages are acknowledged "
                             "without their copy in JetStream until it is back (a session that moves to "
                             "another node misses them).");
            away_ = true;
            return;  // the fence goes with this step
        }
        away_ = false;
        if (!publisher_) {
            natsMsg_Destroy(raw);
            if (fence) fence->fail();
            return;
        }
        waiting_[raw] = std::move(fence);  // before the publish: the acknowledgement may come at once
    }
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = kAckWaitMs;
    natsMsg* published = raw;
    natsStatus s = js_PublishMsgAsync(publisher_.get(), &published, &options);
    if (s == NATS_OK) return;
    natsMsg_Destroy(published);  // still ours: the library did not take it
    broker::FencePtr failed;
    {
        std::lock_guard lock(mutex_);
        if (auto found = waiting_.find(raw); found != waiting_.end()) {
            failed = std::move(found->second);
            waiting_.erase(found);
        }
        if (!failing_)
            logger().log(LogType::warning,
                         "Warning: cluster: QoS 1/2 messages cannot be stored in JetStream ({}): their "
                         "publishers are not acknowledged.",
                         nats_error(s));
        failing_ = true;
    }
    failures_.fetch_add(1, std::memory_order_relaxed);
    if (failed) failed->fail();
}

void MessageStream::on_ack(jsCtx*, natsMsg* message, jsPubAck* ack, jsPubAckErr* error, void* closure) {
    static_cast<MessageStream*>(closure)->acknowledged(message, ack != nullptr && error == nullptr);
    natsMsg_Destroy(message);
}

void MessageStream::acknowledged(natsMsg* message, bool stored) {
    broker::FencePtr fence;
    {
        std::lock_guard lock(mutex_);
        auto found = waiting_.find(message);
        if (found == waiting_.end()) return;
        fence = std::move(found->second);
        waiting_.erase(found);
        if (!stored && !failing_)
            logger().log(LogType::warning,
                         "Warning: cluster: JetStream did not store a QoS 1/2 message to '{}': its publisher "
                         "is not acknowledged.",
                         natsMsg_GetSubject(message));
        failing_ = !stored;
    }
    (stored ? stored_ : failures_).fetch_add(1, std::memory_order_relaxed);
    if (fence && !stored) fence->fail();
    // Let go here: the fence posts its acknowledgements to their loop.
}

void MessageStream::stop() {
    JetStreamPtr publisher;
    {
        std::lock_guard lock(mutex_);
        if (!publisher_) return;
    }
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = 2000;
    js_PublishAsyncComplete(publisher_.get(), &options);
    std::unordered_map<natsMsg*, broker::FencePtr> left;
    {
        std::lock_guard lock(mutex_);
        publisher = std::move(publisher_);
        left = std::move(waiting_);
        waiting_.clear();
    }
    for (auto& [message, fence] : left)
        if (fence) fence->fail();
    left.clear();
    publisher.reset();
}

std::optional<std::uint64_t> MessageStream::last_sequence() {
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    if (js_GetStreamInfo(&info, plain_, kStream, nullptr, &code) != NATS_OK) return std::nullopt;
    StreamInfoPtr owned(info);
    return info->State.LastSeq;
}

std::expected<std::vector<MessageStream::Stored>, std::string> MessageStream::read(
    const std::vector<std::string>& subjects, std::uint64_t from, std::size_t limit) {
    std::vector<Stored> out;
    auto last = last_sequence();
    if (!last) return std::unexpected(std::string("JetStream did not give the stream's state"));
    if (from == 0) from = 1;
    if (*last < from) return out;
    for (const auto& subject : subjects)
        if (auto done = read_subject(subject, from, *last, limit, out); !done)
            return std::unexpected(done.error());
    // A message that matched several subscriptions was read once per subject: once, in stream order.
    std::sort(out.begin(), out.end(),
              [](const Stored& a, const Stored& b) { return a.sequence < b.sequence; });
    out.erase(std::unique(out.begin(), out.end(),
                          [](const Stored& a, const Stored& b) { return a.sequence == b.sequence; }),
              out.end());
    if (out.size() > limit) out.resize(limit);
    return out;
}

std::expected<void, std::string> MessageStream::read_subject(const std::string& subject, std::uint64_t from,
                                                             std::uint64_t last, std::size_t limit,
                                                             std::vector<Stored>& out) {
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Stream = kStream;
    options.Config.DeliverPolicy = js_DeliverByStartSequence;
    options.Config.OptStartSeq = from;
    options.Config.AckPolicy = js_AckNone;
    natsSubscription* raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    if (natsStatus s = js_SubscribeSync(&raw, plain_, subject.c_str(), nullptr, &options, &code);
        s != NATS_OK)
        return std::unexpected(fmt::format("cannot read {} on {}: {}", kStream, subject, nats_error(s)));
    SubscriptionPtr subscription(raw);
    // How many there are now: delivered already plus pending (later ones are routed live).
    jsConsumerInfo* info = nullptr;
    if (natsStatus s = natsSubscription_GetConsumerInfo(&info, raw, nullptr, &code); s != NATS_OK) {
        natsSubscription_Unsubscribe(raw);
        return std::unexpected(fmt::format("no consumer info on {}: {}", subject, nats_error(s)));
    }
    std::uint64_t total = info->Delivered.Consumer + info->NumPending;
    jsConsumerInfo_Destroy(info);
    std::size_t taken = 0;
    std::string failure;
    for (std::uint64_t i = 0; i < total && taken < limit; ++i) {
        natsMsg* next = nullptr;
        if (natsStatus s = natsSubscription_NextMsg(&next, raw, kReadWaitMs); s != NATS_OK) {
            failure = fmt::format("reading {} on {}: {}", kStream, subject, nats_error(s));
            break;
        }
        MessagePtr owned(next);
        jsMsgMetaData* meta = nullptr;
        if (natsMsg_GetMetaData(&meta, next) != NATS_OK) continue;
        std::uint64_t sequence = meta->Sequence.Stream;
        std::uint64_t pending = meta->NumPending;
        jsMsgMetaData_Destroy(meta);
        if (sequence > last) break;
        if (auto received = from_nats(next, kPrefix)) {
            out.push_back({sequence, std::move(received->message)});
            ++taken;
        } else {
            logger().log(LogType::warning, "Warning: cluster: stored message {} skipped: {}.", sequence,
                         received.error());
        }
        if (pending == 0) break;
    }
    natsSubscription_Unsubscribe(raw);  // the ephemeral consumer goes with it
    if (!failure.empty()) return std::unexpected(failure);
    return {};
}

}  // namespace culex::cluster
