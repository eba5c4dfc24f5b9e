// The one NATS connection of a cluster node, made from the config: its servers, TLS, credentials, and the
// settings the cluster relies on: no echo (a node never hears its own messages back), one global delivery
// thread (messages of all subscriptions arrive in the order the server sent them, which the duplicate
// filter needs), reconnection without end, and a log line when the link goes or comes back.
#pragma once

#include <expected>
#include <string>

#include "cluster/nats_handles.hpp"
#include "config/config.hpp"

namespace culex::cluster {

std::expected<ConnectionPtr, std::string> connect_to_nats(const config::ClusterSettings& settings);

}  // namespace culex::cluster
