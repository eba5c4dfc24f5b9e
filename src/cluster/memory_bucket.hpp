// The cluster's JetStream key-value buckets of live state (which node holds a name, which node holds a client
// id): one entry per key, kept in memory by NATS (none of it means anything across a restart of NATS), each
// key gone `ttl_ms` after its last write unless written again.
#pragma once

#include <cstdint>
#include <expected>
#include <string>

#include "cluster/nats_handles.hpp"

namespace culex::cluster {

// Opens the bucket `name`, creating it when no node has yet (or taking the one another node created
// meanwhile).
std::expected<KeyValuePtr, std::string> open_memory_bucket(jsCtx* jetstream, const char* name,
                                                           std::int64_t ttl_ms);

}  // namespace culex::cluster
