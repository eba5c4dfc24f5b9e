// Opening the cluster's JetStream key-value buckets, each keeping one entry per key: buckets of live state
// (which node holds a name, which node holds a client id) in memory, and buckets that must outlive a node
// (persistent sessions, wills) on disk.
#pragma once

#include <cstdint>
#include <expected>
#include <string>

#include "cluster/nats_handles.hpp"

namespace culex::cluster {

// Opens the bucket `name`, creating it when no node has yet (or taking the one another node created
// meanwhile). Kept in memory by NATS (none of it means anything across a restart of NATS), each key gone
// `ttl_ms` after its last write unless written again.
std::expected<KeyValuePtr, std::string> open_memory_bucket(jsCtx* jetstream, const char* name,
                                                           std::int64_t ttl_ms);

// The same for a bucket kept on disk without a TTL (a record says itself when it expires), in `replicas`
// copies (cluster_replicas; an existing bucket is brought to it), or when that is 0 in three copies where
// the NATS cluster has three servers, else one.
std::expected<KeyValuePtr, std::string> open_file_bucket(jsCtx* jetstream, const char* name, int replicas);

}  // namespace culex::cluster
