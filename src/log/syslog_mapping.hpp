// `log_dest syslog`: which syslog(3) facility mosquitto.conf's `log_facility N` means and which severity each
// log type gets, as Mosquitto maps them, so that rsyslog/journald filters written for Mosquitto keep working.
#pragma once

#include <optional>

#include "log/log_type.hpp"

namespace culex::log {

// `log_facility N`, N in 0..7: LOG_LOCAL0..LOG_LOCAL7; unset: LOG_DAEMON. std::nullopt for any other N.
std::optional<int> syslog_facility(std::optional<int> log_facility);

// The syslog severity of a line of this type: error LOG_ERR, warning LOG_WARNING, notice, subscribe and
// unsubscribe LOG_NOTICE, information LOG_INFO, debug and websockets LOG_DEBUG; anything else LOG_ERR.
int syslog_severity(LogType type);

}  // namespace culex::log
