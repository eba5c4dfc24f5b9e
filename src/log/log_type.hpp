// The kinds of log message mosquitto.conf's `log_type` selects (error, warning, ..., debug) as bit flags, so
// a set of enabled kinds is one integer and testing it is one AND. The bit values are Mosquitto's own, so a
// mask means the same thing in both brokers.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace culex::log {

enum class LogType : std::uint32_t {
    none = 0,
    information = 0x01,
    notice = 0x02,
    warning = 0x04,
    error = 0x08,
    debug = 0x10,
    subscribe = 0x20,
    unsubscribe = 0x40,
    websockets = 0x80,
    all = 0xFFFF'FFFF,
};

constexpr LogType operator|(LogType a, LogType b) {
    return static_cast<LogType>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}
constexpr LogType operator&(LogType a, LogType b) {
    return static_cast<LogType>(static_cast<std::uint32_t>(a) & static_cast<std::uint32_t>(b));
}
constexpr LogType operator~(LogType a) {
    return static_cast<LogType>(~static_cast<std::uint32_t>(a));
}
constexpr LogType& operator|=(LogType& a, LogType b) {
    return a = a | b;
}
constexpr bool any(LogType a) {
    return static_cast<std::uint32_t>(a) != 0;
}

// What Mosquitto logs when mosquitto.conf says nothing about log_type.
constexpr LogType kDefaultLogTypes =
    LogType::error | LogType::warning | LogType::notice | LogType::information;

// One `log_type` word: debug, error, warning, notice, information, subscribe, unsubscribe, websockets, none,
// all. std::nullopt for any other word.
std::optional<LogType> parse_log_type(std::string_view name);

// The words parse_log_type accepts, for error messages: "debug, error, ..., all".
std::string_view log_type_names();

}  // namespace culex::log
