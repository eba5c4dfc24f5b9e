// What mosquitto.conf's logging options say, as plain values: which kinds of message to log (`log_type`),
// where to write them (`log_dest` stdout / stderr / file PATH / syslog / none, `log_facility`), how to stamp
// them
// (`log_timestamp`, `log_timestamp_format`) and culex's own `log_format`. src/config fills it;
// Logger::configure applies it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "log/log_format.hpp"
#include "log/log_type.hpp"

namespace culex::log {

struct LogSettings {
    LogType types = kDefaultLogTypes;
    bool to_stdout = false;
    bool to_stderr = true;  // Mosquitto's default destination
    std::string file;       // appended to when not empty
    bool to_syslog = false;
    std::optional<int> facility;  // `log_facility N`: local N (0..7); unset: daemon (see syslog_mapping.hpp)
    LogFormat format = LogFormat::text;  // for stdout, stderr and the file; syslog gets the message alone
    bool timestamp = true;
    std::string timestamp_format;  // empty: Unix seconds; else strftime on local time
    // `connection_messages false`: Mosquitto's lines about clients connecting, disconnecting and timing out
    // are left out, whatever `types` says.
    bool connection_messages = true;
    // For tests and embedders: receives every line written (timestamp included, newline not), under the
    // logger's lock, in the order lines are written.
    std::function<void(std::string_view line)> capture;

    // `log_dest none`: nothing written anywhere (a capture still sees lines).
    static LogSettings none() {
        LogSettings s;
        s.to_stderr = false;
        s.to_syslog = false;
        return s;
    }
};

}  // namespace culex::log
