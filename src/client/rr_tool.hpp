// `culex rr`: mosquitto_rr's behaviour on culex's client. Connects (MQTT 5 unless -V says otherwise),
// subscribes to the response topic (-e), publishes the request (-t) with that Response Topic and any -D
// publish properties (correlation-data...), prints the first response as sub would (-v, -N, -F), and exits 0;
// -W bounds the wait ("Timed out", exit 27).
#pragma once

#include <span>
#include <string>

#include "client/tool.hpp"

namespace culex::client {

int run_rr(std::span<const std::string> args, const ToolIo& io = {});

}  // namespace culex::client
