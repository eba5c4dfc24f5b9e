// cluster_node uniqueness: this node's name as a key of the JetStream KV bucket culex_nodes, created only if
// no live node holds it (a KV create fails on a key that exists), renewed every few seconds by a compare-
// and-set on its revision, and lapsing by the bucket's TTL when its node dies without deleting it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <expected>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cluster/nats_handles.hpp"

namespace culex::cluster {

class NodeClaim {
  public:
    // How long a claim outlives its last renewal, and how often it is renewed.
    static constexpr std::int64_t kTtlMs = 15'000;
    static constexpr std::int64_t kRenewMs = 3'000;

    // Claims `node` for `incarnation` (this run's random id), or says who holds it.
    static std::expected<std::unique_ptr<NodeClaim>, std::string> claim(jsCtx* jetstream,
                                                                        const std::string& node,
                                                                        const std::string& incarnation);
    // Stops renewing; the claim lapses after kTtlMs unless release() deleted it.
    ~NodeClaim();
    // The names other live nodes hold; nullopt when the bucket cannot be read.
    std::optional<std::vector<std::string>> other_nodes() const;
    // After each successful renewal, `listener` gets other_nodes() (on the renewal thread). Set once, before
    // the first renewal is due; cleared (nullptr) before what it uses goes.
    void on_renewal(std::function<void(const std::vector<std::string>&)> listener);
    // Whether `node` is held now by the run `incarnation`: false for a node that died (its claim lapsed), was
    // restarted since (another incarnation), or when the bucket cannot be read. Any thread (a JetStream
    // request).
    bool is_live(const std::string& node, std::string_view incarnation) const;
    // Stops renewing and deletes the claim, so that the name is free at once (needs NATS).
    void release();

  private:
    NodeClaim(KeyValuePtr bucket, std::string node, std::string incarnation, std::uint64_t revision);
    void renew_until_stopped();
    void stop_renewing();
    void renew();

    KeyValuePtr bucket_;
    const std::string node_;
    const std::string incarnation_;
    std::uint64_t revision_;
    bool lost_ = false;  // the last renewal failed (logged once per loss)
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::function<void(const std::vector<std::string>&)> renewal_listener_;  // under mutex_
    std::thread renewer_;
};

}  // namespace culex::cluster
