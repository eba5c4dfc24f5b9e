// log_dest and log_type, which add up over several lines (Mosquitto's rules: the first log_dest replaces the
// default, log_type types accumulate until none or all).
#include "config/option_handlers.hpp"

#include "log/log_settings.hpp"

namespace culex::config::parsing {

Result on_log_dest(Parser& p, const Line& l) {
    if (l.words.empty()) return count_words(l, 1, 1);
    const auto dest = l.words[0];
    auto& log = p.config.log;
    if (dest == "file") {
        const auto path = trim(l.rest.substr(4));
        if (path.empty()) {
            return std::unexpected(std::string(
                "'log_dest file' needs the file's path; write it as 'log_dest file /var/log/culex.log'"));
        }
        if (p.log_file_seen) {
            return std::unexpected(
                std::string("only one 'log_dest file' is allowed (as in Mosquitto): remove all but one"));
        }
        p.log_file_seen = true;
        log.file = path;
    } else if (dest == "dlt") {
        if (auto ok = count_words(l, 1, 1); !ok) return ok;
        p.warn(
            fmt::format("culex does not implement the '{}' log destination yet; the line is ignored (without "
                        "another log_dest, culex logs to stderr)",
                        dest));
        return {};
    } else {
        if (auto ok = count_words(l, 1, 1); !ok) return ok;
        if (dest == "none") {
            log.to_stdout = log.to_stderr = log.to_syslog = false;
            p.config.log_to_topic = false;
            log.file.clear();
        } else if (dest == "stdout") {
            log.to_stdout = true;
        } else if (dest == "stderr") {
            log.to_stderr = true;
        } else if (dest == "syslog") {
            log.to_syslog = true;
        } else if (dest == "topic") {
            p.config.log_to_topic = true;
        } else {
            static constexpr std::array<std::string_view, 7> kNames{"stdout", "stderr", "file", "none",
                                                                    "syslog", "topic",  "dlt"};
            std::string message = fmt::format(
                "'log_dest' needs stdout, stderr, file PATH, syslog, topic or none, got '{}'", dest);
            if (auto near = closest_match(dest, kNames))
                message += fmt::format(": did you mean '{}'?", *near);
            return std::unexpected(message);
        }
    }
    // The first log_dest line replaces the default (stderr) instead of adding to it.
    if (!p.log_dest_set) {
        p.log_dest_set = true;
        if (dest != "stderr") log.to_stderr = false;
    }
    return {};
}

Result on_log_type(Parser& p, const Line& l) {
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    const auto type = log::parse_log_type(*word);
    if (!type) {
        static constexpr std::array<std::string_view, 10> kNames{
            "debug",     "error",       "warning",    "notice", "information",
            "subscribe", "unsubscribe", "websockets", "none",   "all"};
        std::string message =
            fmt::format("'log_type' needs one of {}, got '{}'", log::log_type_names(), *word);
        if (auto near = closest_match(*word, kNames)) message += fmt::format(": did you mean '{}'?", *near);
        return std::unexpected(message);
    }
    p.log_type_set = true;
    if (*type == log::LogType::none || *type == log::LogType::all) {
        p.log_types = *type;
    } else {
        p.log_types |= *type;
    }
    return {};
}

Result on_log_facility(Parser& p, const Line& l) {
    int facility = 0;
    if (auto ok = set_integer(l, facility, 0, 7); !ok)
        return std::unexpected(ok.error() + " (log_facility N means syslog's local N; without it, daemon)");
    p.config.log.facility = facility;
    return {};
}

Result on_log_format(Parser& p, const Line& l) {
    static constexpr std::array<std::pair<std::string_view, log::LogFormat>, 2> kFormats{{
        {"text", log::LogFormat::text},
        {"json", log::LogFormat::json},
    }};
    return set_choice(l, p.config.log.format, kFormats);
}

}  // namespace culex::config::parsing
