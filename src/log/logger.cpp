#include "log/logger.hpp"

#include "log/topic_sink.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iterator>

#include <syslog.h>

#include "log/syslog_mapping.hpp"
#include "log/timestamp.hpp"

namespace culex::log {

namespace {

// Large enough that fflush hands any sane line to the kernel in a single write(), so a line in the file is
// never split even if another process appends to the same file.
constexpr std::size_t kFileBufferSize = 64 * 1024;

void write_whole(std::FILE* out, std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), out);
    std::fflush(out);
}

}  // namespace

void Logger::FileCloser::operator()(std::FILE* f) const noexcept {
    std::fclose(f);
}

Logger::Logger() : mask_(static_cast<std::uint32_t>(kDefaultLogTypes)) {}

Logger::~Logger() = default;

void Logger::write(LogType type, std::string_view line) {
    if (!enabled(type)) return;
    emit(type, line);
}

void Logger::refresh_prefix(std::time_t now) {
    prefix_ = format_timestamp(now, settings_.timestamp_format);
    prefix_ += ": ";
    prefix_second_ = now;
}

void Logger::append_text_line(std::string_view message) {
    if (settings_.timestamp) {
        const std::time_t now = std::time(nullptr);
        if (now != prefix_second_) refresh_prefix(now);
        line_ += prefix_;
    }
    line_ += message;
}

void Logger::emit(LogType type, std::string_view message) {
    std::lock_guard lock(mutex_);
    line_.clear();
    if (settings_.format == LogFormat::json) {
        const auto now = std::chrono::system_clock::now();
        append_json_line(line_, type, message, settings_.timestamp ? &now : nullptr);
    } else {
        append_text_line(message);
    }
    if (settings_.capture) settings_.capture(line_);
    line_ += '\n';
    if (settings_.to_stdout) write_whole(stdout, line_);
    if (settings_.to_stderr) write_whole(stderr, line_);
    if (file_) write_whole(file_.get(), line_);
    // syslog stamps and labels the line itself: it gets the message alone, as Mosquitto sends it.
    if (syslog_open_)
        ::syslog(syslog_severity(type), "%.*s", static_cast<int>(message.size()), message.data());
    // log_dest topic: queued for the broker (log/topic_sink.hpp), without the newline.
    offer_topic_line(type, std::string_view(line_).substr(0, line_.size() - 1));
}

std::expected<void, LogError> Logger::configure(const LogSettings& settings) {
    // Open the new file before taking the lock: a slow filesystem must not stall every logging thread, and a
    // failure must leave the old settings untouched.
    FileHandle file;
    if (!settings.file.empty()) {
        file.reset(std::fopen(settings.file.c_str(), "ae"));  // append, close-on-exec
        if (!file) {
            return std::unexpected(LogError{fmt::format(
                "cannot open log file '{}' for appending: {}; check that its directory exists and that this "
                "user may write to it",
                settings.file, std::strerror(errno))});
        }
        std::setvbuf(file.get(), nullptr, _IOFBF, kFileBufferSize);
    }
    const auto facility = syslog_facility(settings.facility);
    if (!facility)
        return std::unexpected(LogError{fmt::format("log_facility must be 0 to 7 (local0 to local7), got {}",
                                                    settings.facility.value_or(-1))});
    {
        std::lock_guard lock(mutex_);
        if (settings.to_syslog) {
            // Connected now (LOG_NDELAY), while the process may still open /dev/log whatever `user` it
            // drops to and whatever a chroot hides.
            ::openlog("culex", LOG_PID | LOG_NDELAY, *facility);
        } else if (syslog_open_) {
            ::closelog();
        }
        syslog_open_ = settings.to_syslog;
        settings_ = settings;
        file_.swap(file);
        prefix_second_ = -1;  // the format may have changed
        mask_.store(static_cast<std::uint32_t>(settings.types), std::memory_order_relaxed);
        connection_messages_.store(settings.connection_messages, std::memory_order_relaxed);
    }
    // `file` now holds the previous log file, closed here, outside the lock.
    return {};
}

LogSettings Logger::settings() const {
    std::lock_guard lock(mutex_);
    return settings_;
}

Logger& logger() {
    // Never destroyed: threads still running while the process exits (or static destructors elsewhere) may
    // log, and every line is already flushed, so there is nothing to gain from closing it.
    static Logger* const instance = new Logger;
    return *instance;
}

}  // namespace culex::log
