// culex's log, in Mosquitto's format ("1654094034: New connection from ..."), shared by every module through
// logger(). Thread-safe: any thread may log; each line reaches each destination whole, in one write, flushed
// at once (scripts read the log live). Checking whether a kind of message is wanted costs one relaxed atomic
// load, and log() formats nothing unless it is, so hot paths may log freely:
//
//     culex::log::logger().log(LogType::debug, "Sending CONNACK to {} ({}, {})", id, 0, 0);
//
// configure() applies new settings (SIGHUP reload) while other threads log: no line is lost or torn.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <expected>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "log/log_settings.hpp"
#include "log/log_type.hpp"

namespace culex::log {

// Why configure() refused new settings, e.g. "cannot open log file '/var/log/x.log' for appending: Permission
// denied; check that its directory exists and is writable by this user".
struct LogError {
    std::string message;
};

class Logger {
  public:
    // Mosquitto's defaults: error, warning, notice and information, to stderr, with Unix-seconds timestamps.
    Logger();
    ~Logger();
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;

    bool enabled(LogType type) const noexcept {
        return (mask_.load(std::memory_order_relaxed) & static_cast<std::uint32_t>(type)) != 0;
    }

    // Writes `line` (without timestamp or newline) if `type` is enabled.
    void write(LogType type, std::string_view line);

    template <typename... Args>
    void log(LogType type, fmt::format_string<Args...> format, Args&&... args) {
        if (!enabled(type)) return;
        fmt::memory_buffer buffer;  // inline storage: short lines format without touching the heap
        fmt::format_to(std::back_inserter(buffer), format, std::forward<Args>(args)...);
        emit(type, std::string_view{buffer.data(), buffer.size()});
    }

    // Mosquitto's connection messages ("New connection from", "New client connected", the will line,
    // "Client X disconnected.", timeouts, takeovers, max_connections refusals): left out with
    // `connection_messages false`, as Mosquitto leaves them out.
    template <typename... Args>
    void log_connection(LogType type, fmt::format_string<Args...> format, Args&&... args) {
        if (!connection_messages_.load(std::memory_order_relaxed)) return;
        log(type, format, std::forward<Args>(args)...);
    }

    // Applies new settings. A log file is (re)opened every time, so that SIGHUP after logrotate moves the log
    // to a fresh file. On error nothing changes: the old settings stay in force.
    std::expected<void, LogError> configure(const LogSettings& settings);

    // The settings in force (a copy).
    LogSettings settings() const;

  private:
    struct FileCloser {
        void operator()(std::FILE* f) const noexcept;
    };
    using FileHandle = std::unique_ptr<std::FILE, FileCloser>;

    void emit(LogType type, std::string_view message);
    void append_text_line(std::string_view message);
    void refresh_prefix(std::time_t now);

    std::atomic<std::uint32_t> mask_;
    std::atomic<bool> connection_messages_ = true;
    mutable std::mutex mutex_;  // guards everything below
    LogSettings settings_;
    FileHandle file_;
    bool syslog_open_ = false;
    std::time_t prefix_second_ = -1;  // the second `prefix_` was made for; timestamps change once a second
    std::string prefix_;
    std::string line_;  // reused for each line, so steady-state logging does not allocate
};

// The process-wide logger the broker and its modules share.
Logger& logger();

}  // namespace culex::log
