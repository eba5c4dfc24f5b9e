// The broker: state shared by every event loop (subscriptions, retained messages, the session registry,
// settings) and one LoopBroker per loop that owns that loop's clients and sessions. No sockets: net feeds it
// decoded packets through each loop's LoopCore.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "base/shared_snapshot.hpp"
#include "broker/access_policy.hpp"
#include "broker/login_checker.hpp"
#include "broker/loop_executor.hpp"
#include "broker/memory_guard.hpp"
#include "broker/retained_store.hpp"
#include "broker/session_registry.hpp"
#include "broker/settings.hpp"
#include "broker/statistics.hpp"
#include "broker/subscription_tree.hpp"

namespace culex::store {
class CommitQueue;
}

namespace culex::broker {

class ClusterLink;
class LoopBroker;
class LoopCore;

class Broker {
  public:
    // One executor per event loop; they must outlive the broker. `policies`: one per listener (a connection
    // names its listener's index); none means a single policy that refuses everyone.
    Broker(BrokerSettings settings, std::vector<LoopExecutor*> loops,
           std::vector<AccessPolicy> policies = {});
    ~Broker();

    int loop_count() const { return static_cast<int>(loops_.size()); }
    // The part of the broker that runs on event loop `index`.
    LoopBroker& loop(int index) { return *loop_brokers_[static_cast<std::size_t>(index)]; }
    // The same, as net sees it.
    LoopCore& core(int index);
    LoopExecutor& executor(int loop) { return *loops_[static_cast<std::size_t>(loop)]; }
    void post(int loop, std::move_only_function<void()> task) {
        loops_[static_cast<std::size_t>(loop)]->post(std::move(task));
    }

    // Persistence: from now on every loop stores through `writer` (null: none). Before the loops run.
    void use_store(store::CommitQueue* writer);
    // Cluster mode: from now on routing and subscriptions are told to `cluster` (null: none). Before the
    // loops run.
    void use_cluster(ClusterLink* cluster);
    ClusterLink* cluster() const { return cluster_; }
    // At restart: the highest sequence the store holds; new records are numbered after it.
    void sequences_after(std::uint64_t last) { store_sequence_.store(last, std::memory_order_relaxed); }

    const BrokerSettings& settings() const { return settings_; }
    SubscriptionTree& subscriptions() { return subscriptions_; }
    RetainedStore& retained() { return retained_; }
    SessionRegistry& sessions() { return sessions_; }
    LoginChecker& login_checker() { return login_checker_; }
    MemoryGuard& memory() { return memory_; }
    // The figures of $SYS and /metrics, summed from every loop when read (any thread).
    Statistics statistics() { return statistics_.read(); }

    // The policy of listener `index`, as of now (a reload may replace it at any time; holders keep theirs).
    PolicyPtr policy(int index) const;
    int policy_count() const { return static_cast<int>(policies_.size()); }
    // SIGHUP: new policies (same listeners, same order); every loop then re-checks its connected clients
    // (a user removed from the password file is disconnected).
    void replace_policies(std::vector<AccessPolicy> policies);

  private:
    BrokerSettings settings_;
    std::vector<LoopExecutor*> loops_;
    std::vector<std::unique_ptr<LoopBroker>> loop_brokers_;
    SubscriptionTree subscriptions_;
    RetainedStore retained_;
    SessionRegistry sessions_;
    ClusterLink* cluster_ = nullptr;
    std::atomic<std::uint64_t> store_sequence_{0};  // the last sequence given to a queued or in-flight record
    std::vector<SharedSnapshot<AccessPolicy>> policies_;
    LoginChecker login_checker_;
    MemoryGuard memory_;
    StatisticsReader statistics_{*this};
};

}  // namespace culex::broker
