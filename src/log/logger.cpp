#include "log/logger.hpp"

#include <cerrno>
#include <cstring>
#include <iterator>

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
    emit(line);
}

void Logger::refresh_prefix(std::time_t now) {
    prefix_ = format_timestamp(now, settings_.timestamp_format);
    prefix_ += ": ";
    prefix_second_ = now;
}

void Logger::emit(std::string_view line) {
    std::lock_guard lock(mutex_);
    line_.clear();
    if (settings_.timestamp) {
        const std::time_t now = std::time(nullptr);
        if (now != prefix_second_) refresh_prefix(now);
        line_ += prefix_;
    }
    line_ += line;
    if (settings_.capture) settings_.capture(line_);
    line_ += '\n';
    if (settings_.to_stdout) write_whole(stdout, line_);
    if (settings_.to_stderr) write_whole(stderr, line_);
    if (file_) write_whole(file_.get(), line_);
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
    {
        std::lock_guard lock(mutex_);
        settings_ = settings;
        file_.swap(file);
        prefix_second_ = -1;  // the format may have changed
        mask_.store(static_cast<std::uint32_t>(settings.types), std::memory_order_relaxed);
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
