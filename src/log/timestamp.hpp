// The timestamp that starts each log line, as Mosquitto writes it: Unix seconds ("1654094034") by default, or
// the time in the local time zone formatted by strftime when mosquitto.conf sets `log_timestamp_format`.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace culex::log {

// `format` empty: Unix seconds. Otherwise a strftime format ("%Y-%m-%dT%H:%M:%S") applied to local time.
std::string format_timestamp(std::time_t when, std::string_view format);

}  // namespace culex::log
