// GET /metrics: the broker's Statistics in the Prometheus text exposition format (0.0.4), written by
// prometheus-cpp's TextSerializer (Debian's prometheus-cpp-dev). Names are culex_*; traffic is labelled by
// listener, PUBLISH counts by QoS, drops by cause. docs/operations.md lists them.
#pragma once

#include <string>
#include <vector>

#include "broker/statistics.hpp"

namespace culex::ops {

// `listener_names`: the label of each listener, by index ("1883", "8883 10.0.0.1"); an empty name leaves
// that listener out (an HTTP listener, which carries no MQTT).
std::string render_metrics(const broker::Statistics& statistics,
                           const std::vector<std::string>& listener_names);

// The label value of a drop cause ("queue_full").
std::string_view drop_cause_name(broker::DropCause cause);

}  // namespace culex::ops
