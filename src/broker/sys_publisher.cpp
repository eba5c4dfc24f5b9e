// $SYS/broker/...: published by the first loop as the broker's own retained messages, routed like any other
// (a subscriber of $SYS/# gets them live, a later one from the retained store), never persisted.
#include "broker/broker.hpp"
#include "broker/cluster_link.hpp"
#include "broker/loop_broker.hpp"

namespace culex::broker {

void LoopBroker::publish_sys(std::chrono::steady_clock::time_point now) {
    bool first = sys_last_ == std::chrono::steady_clock::time_point{};
    auto interval = broker_.settings().sys_interval;
    if (!first && now - sys_last_ < interval) return;
    double seconds = first ? 0.0 : std::chrono::duration<double>(now - sys_last_).count();
    sys_last_ = now;
    auto figures = sys_tree_->update(broker_.statistics(), seconds);
    if (ClusterLink* cluster = broker_.cluster()) cluster->sys_figures(figures);
    for (auto& [topic, value] : figures) {
        protocol::Publish publish;
        publish.topic = std::move(topic);
        publish.payload = protocol::Payload(std::move(value));
        publish.retain = true;
        router_.route(std::make_shared<const Message>(std::move(publish)), nullptr);
    }
}

}  // namespace culex::broker
