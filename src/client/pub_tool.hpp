// `culex pub`: mosquitto_pub's behaviour on culex's client. Parses the flags, connects, publishes the message
// (-m, -f, -s, -n, --repeat) or every stdin line as it arrives (-l), waits for each acknowledgement, sends a
// clean DISCONNECT, and returns mosquitto_pub's exit code.
#pragma once

#include <span>
#include <string>

#include "client/tool.hpp"

namespace culex::client {

int run_pub(std::span<const std::string> args, const ToolIo& io = {});

}  // namespace culex::client
