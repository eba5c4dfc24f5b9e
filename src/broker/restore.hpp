// The broker's state back from the store at start, before the loops run: retained messages, sessions with
// their subscriptions, queues, in-flight exchanges and wills. Sessions whose expiry passed while the broker
// was down are ended (and deleted from the store) instead.
#pragma once

#include <cstddef>
#include <expected>
#include <string>

#include "store/store.hpp"

namespace culex::broker {

class Broker;

struct RestoreReport {
    std::size_t sessions = 0, subscriptions = 0, queued = 0, inflight = 0, wills = 0, retained = 0;
    std::size_t expired_sessions = 0, expired_messages = 0;

    // "Restored 3 sessions, 4 subscriptions, 10 queued and 2 in-flight messages, 1 wills, 5 retained
    // messages."
    std::string summary() const;
};

// Reads `store` (which nothing else uses yet) into `broker`. The loops must not run yet.
std::expected<RestoreReport, store::StoreError> restore(Broker& broker, store::Store& store,
                                                        const store::LoadedState& state);

}  // namespace culex::broker
