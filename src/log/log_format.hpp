// culex's own `log_format json`: each log line as one JSON object, for log shippers that parse JSON
// (Loki, Elasticsearch, journald's JSON export) instead of Mosquitto's "1654094034: text" lines:
//
//     {"time":"2026-12-06T11:09:42.123Z","type":"notice","message":"culex version 0.1.0 running"}
//
// "time" is UTC, RFC 3339 with milliseconds (absent with `log_timestamp false`), "type" the log_type word of
// the line, "message" the same words the text format writes. Bytes that are not UTF-8 become U+FFFD, so
// every line parses.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "log/log_type.hpp"

namespace culex::log {

enum class LogFormat { text, json };

// The log_type word for one type ("notice", "subscribe", ...); "unknown" for a combination of types.
std::string_view log_type_name(LogType type);

// Appends `text` to `out` as the inside of a JSON string: quotes, backslashes and control characters escaped,
// invalid UTF-8 replaced by U+FFFD.
void append_json_escaped(std::string& out, std::string_view text);

// Appends one JSON log line (no newline) to `out`; `when` null: no "time" member.
void append_json_line(std::string& out, LogType type, std::string_view message,
                      const std::chrono::system_clock::time_point* when);

}  // namespace culex::log
