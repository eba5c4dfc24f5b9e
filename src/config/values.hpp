// Parsing of one option value, the way mosquitto.conf(5) writes them: booleans (true|false), whole numbers in
// a range, and durations (14d). Each error message names the option, what it needs and what it got.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace culex::config {

// "true" or "false", exactly (Mosquitto accepts nothing else either).
std::expected<bool, std::string> parse_bool(std::string_view option, std::string_view word);

// A decimal whole number (optional leading '-') between min and max inclusive.
std::expected<std::int64_t, std::string> parse_integer(std::string_view option, std::string_view word,
                                                       std::int64_t min, std::int64_t max);

// A whole number > 0 followed by one unit: h (hour), d (day), w (week), m (month: 30 days), y (year: 365
// days), as persistent_client_expiration takes it.
std::expected<std::chrono::seconds, std::string> parse_duration(std::string_view option,
                                                                std::string_view word);

}  // namespace culex::config
