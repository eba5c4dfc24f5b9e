#include "cluster/kv_bucket.hpp"

#include <fmt/format.h>

#include "cluster/stream_settings.hpp"

namespace culex::cluster {

std::expected<KeyValuePtr, std::string> open_memory_bucket(jsCtx* jetstream, const char* name,
                                                           std::int64_t ttl_ms) {
    kvStore* raw = nullptr;
    if (js_KeyValue(&raw, jetstream, name) == NATS_OK) return KeyValuePtr(raw);
    kvConfig config;
    kvConfig_Init(&config);
    config.Bucket = name;
    config.History = 1;
    config.TTL = ttl_ms * 1'000'000;  // libnats takes it in nanoseconds
    config.StorageType = js_MemoryStorage;
    if (natsStatus s = js_CreateKeyValue(&raw, jetstream, &config); s != NATS_OK) {
        // Another node may have created it meanwhile.
        if (js_KeyValue(&raw, jetstream, name) == NATS_OK) return KeyValuePtr(raw);
        return std::unexpected(fmt::format(
            "cluster: cannot open the JetStream KV bucket {}: {}: is JetStream enabled on the NATS servers "
            "(nats-server -js)?",
            name, nats_error(s)));
    }
    return KeyValuePtr(raw);
}

std::expected<KeyValuePtr, std::string> open_file_bucket(jsCtx* jetstream, const char* name,
                                                         int replicas_set) {
    kvStore* raw = nullptr;
    // A bucket is the stream KV_<name>, whose replicas the operator may change.
    auto existing = [&]() -> std::expected<KeyValuePtr, std::string> {
        KeyValuePtr bucket(raw);
        std::string stream = std::string("KV_") + name;
        if (auto updated = update_stream(jetstream, stream.c_str(), replicas_set); !updated)
            return std::unexpected(updated.error());
        return bucket;
    };
    if (js_KeyValue(&raw, jetstream, name) == NATS_OK) return existing();
    natsStatus s = NATS_OK;
    for (int replicas : replica_choices(replicas_set)) {
        kvConfig config;
        kvConfig_Init(&config);
        config.Bucket = name;
        config.History = 1;
        config.StorageType = js_FileStorage;
        config.Replicas = replicas;
        if ((s = js_CreateKeyValue(&raw, jetstream, &config)) == NATS_OK) return KeyValuePtr(raw);
    }
    // Another node may have created it meanwhile.
    if (js_KeyValue(&raw, jetstream, name) == NATS_OK) return existing();
    return std::unexpected(fmt::format("cluster: cannot open the JetStream KV bucket {}: {}: {}", name,
                                       nats_error(s), creation_hint(replicas_set)));
}

}  // namespace culex::cluster
