#include "log/log_type.hpp"

#include <array>
#include <utility>

namespace culex::log {

namespace {

constexpr std::array<std::pair<std::string_view, LogType>, 10> kNames{{
    {"debug", LogType::debug},
    {"error", LogType::error},
    {"warning", LogType::warning},
    {"notice", LogType::notice},
    {"information", LogType::information},
    {"subscribe", LogType::subscribe},
    {"unsubscribe", LogType::unsubscribe},
    {"websockets", LogType::websockets},
    {"none", LogType::none},
    {"all", LogType::all},
}};

}  // namespace

std::optional<LogType> parse_log_type(std::string_view name) {
    for (const auto& [word, type] : kNames) {
        if (word == name) return type;
    }
    return std::nullopt;
}

std::string_view log_type_names() {
    return "debug, error, warning, notice, information, subscribe, unsubscribe, websockets, none, all";
}

}  // namespace culex::log
