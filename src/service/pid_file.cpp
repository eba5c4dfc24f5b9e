#include "service/pid_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "log/logger.hpp"

namespace culex::service {

namespace {

using culex::log::logger;
using culex::log::LogType;

std::optional<pid_t> read_pid(int fd) {
    char text[32] = {};
    const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
    if (n <= 0) return std::nullopt;
    pid_t pid = 0;
    auto [end, ec] = std::from_chars(text, text + n, pid);
    if (ec != std::errc{} || pid <= 0) return std::nullopt;
    return pid;
}

bool is_running(pid_t pid) {
    return ::kill(pid, 0) == 0 || errno == EPERM;
}

// The program name of a running process ("mosquitto"), empty when it cannot be read.
std::string program_name(pid_t pid) {
    std::ifstream comm(fmt::format("/proc/{}/comm", pid));
    std::string name;
    std::getline(comm, name);
    return name;
}

std::string held_error(const std::filesystem::path& path, std::optional<pid_t> pid, std::string_view owner) {
    return fmt::format(
        "the pid file '{}' belongs to a running {} (process {}); stop that broker first, or give this one "
        "another pid_file",
        path.string(), owner, pid ? fmt::format("{}", *pid) : std::string("unknown"));
}

}  // namespace

std::expected<PidFile, std::string> PidFile::create(const std::filesystem::path& path) {
    // O_NOFOLLOW: a broker started as root must not be led to overwrite whatever a symlink points at.
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        return std::unexpected(fmt::format(
            "Unable to write pid file. Cannot open '{}': {}; check that its directory exists and that "
            "this user may write to it",
            path.string(), std::strerror(errno)));
    }
    auto fail = [fd](std::string message) {
        ::close(fd);
        return std::unexpected(std::move(message));
    };
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) return fail(held_error(path, read_pid(fd), "culex broker"));
        return fail(fmt::format("Unable to write pid file. Cannot lock '{}': {}", path.string(),
                                std::strerror(errno)));
    }
    // Mosquitto takes no lock: a pid file it wrote is free, but still its own while it runs.
    if (auto pid = read_pid(fd); pid && *pid != ::getpid() && is_running(*pid)) {
        if (auto name = program_name(*pid); name == "mosquitto" || name == "culex")
            return fail(held_error(path, pid, name));
    }
    const std::string text = fmt::format("{}\n", ::getpid());
    if (::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
        return fail(fmt::format("Unable to write pid file. Writing '{}' failed: {}", path.string(),
                                std::strerror(errno)));
    struct stat st {};
    ::fstat(fd, &st);
    return PidFile(path, fd, st.st_dev, st.st_ino);
}

PidFile::PidFile(std::filesystem::path path, int fd, dev_t device, ino_t inode)
    : path_(std::move(path)), fd_(fd), device_(device), inode_(inode) {}

PidFile::PidFile(PidFile&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      device_(other.device_),
      inode_(other.inode_) {}

PidFile::~PidFile() {
    remove();
}

void PidFile::remove() {
    if (fd_ < 0) return;
    struct stat st {};
    // Unlinked while the lock is held, so that a broker starting now cannot take over a file about to go.
    if (::stat(path_.c_str(), &st) == 0 && st.st_dev == device_ && st.st_ino == inode_ &&
        ::unlink(path_.c_str()) != 0) {
        logger().log(
            LogType::warning,
            "Warning: Unable to remove pid file '{}': {}. Its directory must be writable by the user "
            "culex runs as (after `user`, that user: e.g. pid_file /run/culex/culex.pid in a "
            "directory it owns).",
            path_.string(), std::strerror(errno));
    }
    ::close(fd_);
    fd_ = -1;
}

}  // namespace culex::service
