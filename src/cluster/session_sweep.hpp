// Keeps culex_sessions bounded (docs/cluster.md, "Expiry and bounds"): the records of sessions whose home
// node died would otherwise stay for ever when their clients never come back. Run by one surviving node at a
// time (will_keeper's claims): when a node dies, its online records become offline ones that expire their
// expiry interval later; every sweep, records of dead homes whose expiry passed are deleted. Both read the
// whole bucket: one pass per death and per sweep (kSweepEvery), on will_keeper's thread.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "cluster/nats_handles.hpp"
#include "cluster/session_record.hpp"

namespace culex::cluster {

class SessionSweep {
  public:
    // How often one node of the cluster sweeps, at most.
    static constexpr std::int64_t kSweepEveryMs = 60'000;
    // `live(home)`: whether the NODE:INCARNATION `home` is a live node's run.
    using Live = std::function<bool(const std::string& home)>;

    static std::expected<std::unique_ptr<SessionSweep>, std::string> open(jsCtx* jetstream);
    // Applies sweep_action to every record; returns how many were removed and marked offline.
    struct Swept {
        std::uint64_t removed = 0;
        std::uint64_t marked = 0;
    };
    Swept sweep(const Live& live);

  private:
    explicit SessionSweep(KeyValuePtr sessions) : sessions_(std::move(sessions)) {}
    KeyValuePtr sessions_;
};

}  // namespace culex::cluster
