// What an operator may set on the cluster's JetStream streams (cluster_replicas, cluster_stream_max_age,
// cluster_stream_max_bytes; docs/config.md), and how a stream that already exists is brought to it: the first
// node creates each stream or bucket, and a node started later with other settings updates it, saying so,
// rather than leaving the option silently without effect.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

#include "cluster/nats_handles.hpp"

namespace culex::cluster {

// The replica counts to try when creating a stream: the configured one only, or 3 where the NATS cluster
// has three servers, else 1 (`configured` 0: not set).
std::vector<int> replica_choices(int configured);

// What to say when a stream or bucket could not be created: the likely cause and its fix.
std::string creation_hint(int replicas_set);

// Brings the existing stream `stream` to `replicas` copies (0: leave it) and, when given (> 0), to these
// bounds. An error names the stream, what was asked and JetStream's answer.
std::expected<void, std::string> update_stream(jsCtx* jetstream, const char* stream, int replicas,
                                               std::int64_t max_age_ns = 0, std::int64_t max_bytes = 0);

}  // namespace culex::cluster
