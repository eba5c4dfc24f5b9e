#include "ops/cluster_metrics.hpp"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <vector>

#include "ops/metric_sample.hpp"

namespace culex::ops {

namespace {

using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily one(std::string name, std::string help, MetricType type, double value) {
    MetricFamily family{std::move(name), std::move(help), type, {}};
    add_sample(family, {}, value);
    return family;
}

}  // namespace

std::string render_cluster_metrics(broker::ClusterLink* cluster) {
    if (!cluster) return {};
    broker::ClusterFigures f = cluster->figures();
    auto gauge = MetricType::Gauge;
    auto counter = MetricType::Counter;
    auto d = [](std::uint64_t v) { return static_cast<double>(v); };
    std::vector<MetricFamily> families;
    families.push_back(
        one("culex_cluster_nats_up", "1 while the node's NATS connection is up", gauge, f.connected ? 1 : 0));
    MetricFamily routed{"culex_cluster_messages_total",
                        "Messages between nodes: sent (handed to NATS for other nodes) and received (from "
                        "other nodes, routed here)",
                        counter,
                        {}};
    add_sample(routed, {{"direction", "sent"}}, d(f.sent));
    add_sample(routed, {{"direction", "received"}}, d(f.received));
    families.push_back(std::move(routed));
    families.push_back(
        one("culex_cluster_interest_local",
            "NATS subscriptions this node holds for its clients (one per subject and queue group)", gauge,
            d(f.interest_local)));
    families.push_back(one("culex_cluster_interest_remote", "Distinct subjects other nodes announced", gauge,
                           d(f.interest_remote)));
    families.push_back(one("culex_cluster_interest_nodes", "Other nodes whose interest is known", gauge,
                           d(f.interest_nodes)));
    MetricFamily stored{"culex_cluster_stored_messages_total",
                        "QoS 1/2 messages sent to the JetStream stream CULEX_MESSAGES: stored (acknowledged) "
                        "or failed (their publisher was not acknowledged)",
                        counter,
                        {}};
    add_sample(stored, {{"result", "stored"}}, d(f.stored));
    add_sample(stored, {{"result", "failed"}}, d(f.store_failures));
    families.push_back(std::move(stored));
    MetricFamily sessions{
        "culex_cluster_sessions_total",
        "Persistent sessions recorded in JetStream when their client went offline here, and "
        "resumed here from a record",
        counter,
        {}};
    add_sample(sessions, {{"event", "recorded"}}, d(f.sessions_recorded));
    add_sample(sessions, {{"event", "resumed"}}, d(f.sessions_resumed));
    families.push_back(std::move(sessions));
    return prometheus::TextSerializer().Serialize(families);
}

}  // namespace culex::ops
