// The one NATS connection of a cluster node, made from the config: its servers, TLS, credentials, and the
// settings the cluster relies on: no echo (a node never hears its own messages back), one global delivery
// thread (messages of all subscriptions arrive in the order the server sent them, which the duplicate
// filter needs), reconnection without end, and a log line when the link goes or comes back.
#pragma once

#include <expected>
#include <functional>
#include <mutex>
#include <string>

#include "cluster/nats_handles.hpp"
#include "config/config.hpp"

namespace culex::cluster {

// Tells whoever listens that the connection came back after a loss (on a libnats thread). Outlives the
// connection; the listener is set once connected and cleared before what it uses goes.
class ReconnectRelay {
  public:
    void listen(std::function<void()> listener) {
        std::lock_guard lock(mutex_);
        listener_ = std::move(listener);
    }
    void reconnected() {
        std::lock_guard lock(mutex_);
        if (listener_) listener_();
    }

  private:
    std::mutex mutex_;
    std::function<void()> listener_;
};

std::expected<ConnectionPtr, std::string> connect_to_nats(const config::ClusterSettings& settings,
                                                          ReconnectRelay& relay);

}  // namespace culex::cluster
