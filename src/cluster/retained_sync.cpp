#include "cluster/retained_sync.hpp"

#include <fmt/format.h>

#include "broker/loop_broker.hpp"
#include "cluster/stream_settings.hpp"
#include "cluster/subject_map.hpp"
#include "cluster/wire_message.hpp"
#include "log/logger.hpp"

namespace culex::cluster {

using culex::log::logger;
using culex::log::LogType;

namespace {

constexpr const char* kStream = "CULEX_RETAINED";
constexpr auto kLoadTimeout = std::chrono::seconds(10);

// Three copies where the NATS cluster has three servers, else the one a single server can hold, unless
// cluster_replicas says.
std::expected<std::uint64_t, std::string> ensure_stream(jsCtx* jetstream, int replicas_set) {
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    if (js_GetStreamInfo(&info, jetstream, kStream, nullptr, &code) == NATS_OK) {
        StreamInfoPtr owned(info);
        if (auto updated = update_stream(jetstream, kStream, replicas_set); !updated)
            return std::unexpected(updated.error());
        return info->State.Msgs;
    }
    std::string subjects = std::string(kRetainedPrefix) + ">";
    const char* subject_list[] = {subjects.c_str()};
    natsStatus s = NATS_OK;
    for (int replicas : replica_choices(replicas_set)) {
        jsStreamConfig config;
        jsStreamConfig_Init(&config);
        config.Name = kStream;
        config.Subjects = subject_list;
        config.SubjectsLen = 1;
        config.MaxMsgsPerSubject = 1;
        config.Storage = js_FileStorage;
        config.Replicas = replicas;
        s = js_AddStream(&info, jetstream, &config, nullptr, &code);
        if (s == NATS_OK) {
            StreamInfoPtr owned(info);
            return info->State.Msgs;
        }
    }
    // Another node may have made it meanwhile.
    if (js_GetStreamInfo(&info, jetstream, kStream, nullptr, &code) == NATS_OK) {
        StreamInfoPtr owned(info);
        if (auto updated = update_stream(jetstream, kStream, replicas_set); !updated)
            return std::unexpected(updated.error());
        return info->State.Msgs;
    }
    return std::unexpected(
        fmt::format("cluster: cannot create the JetStream stream {} for retained messages: {}: {}", kStream,
                    nats_error(s), creation_hint(replicas_set)));
}

}  // namespace

RetainedSync::RetainedSync(broker::Broker& broker, std::string own_origin)
    : broker_(broker), own_origin_(std::move(own_origin)) {}

RetainedSync::~RetainedSync() {
    stop();
}

std::expected<std::unique_ptr<RetainedSync>, std::string> RetainedSync::start(jsCtx* jetstream,
                                                                              broker::Broker& broker,
                                                                              std::string own_origin,
                                                                              int replicas) {
    auto messages = ensure_stream(jetstream, replicas);
    if (!messages) return std::unexpected(messages.error());
    std::unique_ptr<RetainedSync> sync(new RetainedSync(broker, std::move(own_origin)));
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Stream = kStream;
    options.Ordered = true;
    options.Config.DeliverPolicy = js_DeliverLastPerSubject;
    std::string subjects = std::string(kRetainedPrefix) + ">";
    natsSubscription* raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    if (natsStatus s =
            js_Subscribe(&raw, jetstream, subjects.c_str(), on_message, sync.get(), nullptr, &options, &code);
        s != NATS_OK)
        return std::unexpected(
            fmt::format("cluster: cannot follow the JetStream stream {}: {}", kStream, nats_error(s)));
    sync->subscription_.reset(raw);
    if (!sync->wait_loaded(*messages))
        logger().log(
            LogType::warning,
            "Warning: cluster: the retained messages of the cluster were not all loaded within {} s; the "
            "rest arrive as they come.",
            kLoadTimeout.count());
    return sync;
}

bool RetainedSync::wait_loaded(std::uint64_t expected_messages) {
    std::unique_lock lock(mutex_);
    bool done = loaded_.wait_for(lock, kLoadTimeout, [&] { return caught_up_ || expected_messages == 0; });
    logger().log(LogType::information, "cluster: {} retained messages loaded from JetStream.", applied_);
    return done;
}

void RetainedSync::stop() {
    {
        std::lock_guard lock(mutex_);
        stopped_ = true;
    }
    if (subscription_) natsSubscription_Unsubscribe(subscription_.get());
    subscription_.reset();
}

void RetainedSync::on_message(natsConnection*, natsSubscription*, natsMsg* message, void* closure) {
    MessagePtr owned(message);
    static_cast<RetainedSync*>(closure)->apply(message);
}

void RetainedSync::apply(natsMsg* message) {
    std::uint64_t pending = 0;
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, message) == NATS_OK) {
        pending = meta->NumPending;
        jsMsgMetaData_Destroy(meta);
    }
    auto received = from_nats(message, kRetainedPrefix);
    std::lock_guard lock(mutex_);  // held while posting: stop() waits for it, and nothing posts after
    if (stopped_) return;
    if (!received)
        logger().log(LogType::warning, "Warning: cluster: retained message skipped: {}.", received.error());
    else if (!received->origin.name.starts_with(own_origin_))
        broker_.post(0, [&broker = broker_, retained = std::move(received->message)] {
            broker.retained().store(retained);
        });
    ++applied_;
    if (pending == 0 && !caught_up_) {
        caught_up_ = true;
        loaded_.notify_all();
    }
}

}  // namespace culex::cluster
