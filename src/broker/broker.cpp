#include "broker/broker.hpp"

#include <algorithm>

#include "broker/loop_broker.hpp"
#include "log/logger.hpp"
#include "log/topic_sink.hpp"

namespace culex::broker {

Broker::Broker(BrokerSettings settings, std::vector<LoopExecutor*> loops, std::vector<AccessPolicy> policies)
    : settings_(std::move(settings)),
      loops_(std::move(loops)),
      policies_(std::max<std::size_t>(1, policies.size())),
      // One thread per loop: password hashing then keeps pace with the loops that wait on it.
      login_checker_(static_cast<int>(loops_.size()), settings_.login_throttle),
      memory_(settings_.memory_limit) {
    for (std::size_t i = 0; i < policies.size(); ++i)
        policies_[i].store(std::make_shared<const AccessPolicy>(std::move(policies[i])));
    if (policies.empty()) policies_[0].store(std::make_shared<const AccessPolicy>());
    for (int i = 0; i < loop_count(); ++i)
        loop_brokers_.push_back(std::make_unique<LoopBroker>(*this, i));
    // log_dest topic: the first loop publishes what the logger queued (nothing is queued without it).
    if (loop_count() > 0)
        log::set_topic_consumer([this] { post(0, [this] { loop(0).publish_log_lines(); }); });
}

PolicyPtr Broker::policy(int index) const {
    auto i = static_cast<std::size_t>(index);
    return policies_[i < policies_.size() ? i : 0].load();
}

void Broker::replace_policies(std::vector<AccessPolicy> policies) {
    for (std::size_t i = 0; i < policies.size() && i < policies_.size(); ++i)
        policies_[i].store(std::make_shared<const AccessPolicy>(std::move(policies[i])));
    for (int loop = 0; loop < loop_count(); ++loop)
        post(loop, [this, loop] { this->loop(loop).recheck_clients(); });
}

void Broker::use_store(store::CommitQueue* writer) {
    for (int i = 0; i < loop_count(); ++i)
        loop(i).store_step().use(writer, &store_sequence_);
}

void Broker::use_cluster(ClusterLink* cluster) {
    cluster_ = cluster;
    subscriptions_.watch(cluster);
    for (int i = 0; i < loop_count(); ++i)
        loop(i).router().use_cluster(cluster);
}

LoopCore& Broker::core(int index) {
    return loop(index);
}

Broker::~Broker() {
    log::set_topic_consumer(nullptr);
}

}  // namespace culex::broker
