#include "cluster/stream_settings.hpp"

#include <fmt/format.h>

#include "log/logger.hpp"

namespace culex::cluster {

using culex::log::logger;
using culex::log::LogType;

std::vector<int> replica_choices(int configured) {
    if (configured > 0) return {configured};
    return {3, 1};  // 3 fails on a NATS cluster of fewer servers
}

std::string creation_hint(int replicas_set) {
    if (replicas_set > 1)
        return fmt::format(
            "cluster_replicas {} needs a NATS cluster of at least {} servers with JetStream: lower it, or "
            "add "
            "servers",
            replicas_set, replicas_set);
    return "is JetStream enabled on the NATS servers (nats-server -js)?";
}

std::expected<void, std::string> update_stream(jsCtx* jetstream, const char* stream, int replicas,
                                               std::int64_t max_age_ns, std::int64_t max_bytes) {
    if (replicas == 0 && max_age_ns == 0 && max_bytes == 0) return {};  // nothing set: no request
    jsStreamInfo* raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    if (natsStatus s = js_GetStreamInfo(&raw, jetstream, stream, nullptr, &code); s != NATS_OK)
        return std::unexpected(
            fmt::format("cluster: cannot read the JetStream stream {}: {}", stream, nats_error(s)));
    StreamInfoPtr info(raw);
    jsStreamConfig config = *info->Config;  // pointers into `info`, which outlives the update
    bool same = (replicas == 0 || config.Replicas == replicas) &&
                (max_age_ns == 0 || config.MaxAge == max_age_ns) &&
                (max_bytes == 0 || config.MaxBytes == max_bytes);
    if (same) return {};
    std::string before = fmt::format("{} replicas, {} s, {} bytes", config.Replicas,
                                     config.MaxAge / 1'000'000'000, config.MaxBytes);
    if (replicas > 0) config.Replicas = replicas;
    if (max_age_ns > 0) config.MaxAge = max_age_ns;
    if (max_bytes > 0) config.MaxBytes = max_bytes;
    jsStreamInfo* updated = nullptr;
    if (natsStatus s = js_UpdateStream(&updated, jetstream, &config, nullptr, &code); s != NATS_OK)
        return std::unexpected(fmt::format(
            "cluster: cannot bring the JetStream stream {} to {} replicas, at most {} s and {} bytes: {}{}",
            stream, config.Replicas, config.MaxAge / 1'000'000'000, config.MaxBytes, nats_error(s),
            config.Replicas > 1 ? " (are there that many NATS servers with JetStream in the cluster?)" : ""));
    StreamInfoPtr owned(updated);
    logger().log(LogType::notice,
                 "cluster: JetStream stream {} now keeps {} replicas, at most {} s and {} bytes (was {}).",
                 stream, config.Replicas, config.MaxAge / 1'000'000'000, config.MaxBytes, before);
    return {};
}

}  // namespace culex::cluster
