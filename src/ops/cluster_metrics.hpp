// The cluster's families in /metrics (docs/cluster.md): the NATS link, the messages routed between nodes,
// the interest known, the QoS 1/2 messages stored in JetStream and the persistent sessions that moved.
// Read from the broker's ClusterLink; nothing when the broker runs alone.
#pragma once

#include <string>

#include "broker/cluster_link.hpp"

namespace culex::ops {

// The families in the Prometheus text format (0.0.4); empty without a cluster (`cluster` null).
std::string render_cluster_metrics(broker::ClusterLink* cluster);

}  // namespace culex::ops
