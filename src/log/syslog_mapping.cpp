#include "log/syslog_mapping.hpp"

#include <syslog.h>

#include <array>

namespace culex::log {

std::optional<int> syslog_facility(std::optional<int> log_facility) {
    static constexpr std::array<int, 8> kLocal{LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
                                               LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7};
    if (!log_facility) return LOG_DAEMON;
    if (*log_facility < 0 || *log_facility > 7) return std::nullopt;
    return kLocal[static_cast<std::size_t>(*log_facility)];
}

int syslog_severity(LogType type) {
    switch (type) {
        case LogType::error:
            return LOG_ERR;
        case LogType::warning:
            return LOG_WARNING;
        case LogType::notice:
        case LogType::subscribe:
        case LogType::unsubscribe:
            return LOG_NOTICE;
        case LogType::information:
            return LOG_INFO;
        case LogType::debug:
        case LogType::websockets:
            return LOG_DEBUG;
        default:
            return LOG_ERR;
    }
}

}  // namespace culex::log
