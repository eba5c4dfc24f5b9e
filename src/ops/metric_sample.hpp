// One sample of a Prometheus family, a counter's or a gauge's value by the family's type: what the broker's
// and the bridges' /metrics families are made of.
#pragma once

#include <prometheus/metric_family.h>

#include <utility>
#include <vector>

namespace culex::ops {

inline void add_sample(prometheus::MetricFamily& family, std::vector<prometheus::ClientMetric::Label> labels,
                       double value) {
    prometheus::ClientMetric metric;
    metric.label = std::move(labels);
    if (family.type == prometheus::MetricType::Counter)
        metric.counter.value = value;
    else
        metric.gauge.value = value;
    family.metric.push_back(std::move(metric));
}

}  // namespace culex::ops
