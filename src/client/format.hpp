// mosquitto_sub's -F output format for `culex sub` and `culex rr`: %-sequences for the message and its MQTT 5
// properties (with Mosquitto's flags, field width and precision), @-sequences passed to strftime, \-escapes,
// and the %j JSON object (minimised, or cJSON's tab-indented layout with --pretty). The text is Mosquitto's
// byte for byte where the two agree; docs/clients.md lists where they do not.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/packets.hpp"

namespace culex::client {

// Checks a -F string as mosquitto_sub does before connecting: the error line ("Error: Invalid format
// specifier 'Z'.\n") or nothing.
std::optional<std::string> check_format(std::string_view format);

// One message through a checked format, without the end of line that -N leaves out. `now` is the time the
// message is printed (for %I %U %j and @-sequences).
std::string apply_format(std::string_view format, const protocol::Publish& message, bool pretty,
                         std::chrono::system_clock::time_point now);

// The %j object for one message.
std::string message_json(const protocol::Publish& message, bool pretty,
                         std::chrono::system_clock::time_point now);

}  // namespace culex::client
