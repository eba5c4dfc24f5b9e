#include "ops/loop_metrics.hpp"

#include <fmt/format.h>

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>
#include <limits>

#include "ops/metric_sample.hpp"

namespace culex::ops {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

ClientMetric histogram_metric(std::string loop, const broker::LoopHistogram::Reading& reading) {
    ClientMetric metric;
    metric.label = {{"loop", std::move(loop)}};
    auto& histogram = metric.histogram;
    histogram.sample_count = reading.count();
    histogram.sample_sum = reading.sum;
    for (std::size_t i = 0; i < reading.upper_bounds.size(); ++i)
        histogram.bucket.push_back({reading.cumulative[i], reading.upper_bounds[i]});
    // Named here, so that le="+Inf" is the count by construction (the serializer would add it otherwise).
    histogram.bucket.push_back({reading.count(), std::numeric_limits<double>::infinity()});
    return metric;
}

}  // namespace

std::string render_loop_metrics(const std::vector<net::LoopFigures>& loops) {
    if (loops.empty()) return {};
    MetricFamily lag{"culex_loop_scheduling_lag_seconds",
                     "How late each event loop ran a timer due every 100 ms: the least that work arriving "
                     "then waited behind the loop's other work",
                     MetricType::Histogram,
                     {}};
    MetricFamily cpu{"culex_loop_cpu_seconds_total",
                     "CPU time of each event loop's thread (sampled by the loop every 100 ms)",
                     MetricType::Counter,
                     {}};
    for (std::size_t i = 0; i < loops.size(); ++i) {
        std::string loop = fmt::format("{}", i);
        lag.metric.push_back(histogram_metric(loop, loops[i].scheduling_lag));
        add_sample(cpu, {{"loop", loop}}, loops[i].cpu_seconds);
    }
    return prometheus::TextSerializer().Serialize({std::move(lag), std::move(cpu)});
}

}  // namespace culex::ops
