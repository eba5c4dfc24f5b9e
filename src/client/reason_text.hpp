// The words Mosquitto's clients print for an MQTT 5 reason code (libmosquitto's mosquitto_reason_string),
// e.g. "Not authorized" in "Connection error: Not authorized".
#pragma once

#include <string_view>

#include "protocol/reason_codes.hpp"

namespace culex::client {

std::string_view reason_text(protocol::ReasonCode code);
std::string_view reason_text(int code);  // any byte; "Unknown reason" outside the spec's codes

}  // namespace culex::client
