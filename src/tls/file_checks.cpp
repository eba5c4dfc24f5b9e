#include "tls/file_checks.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace culex::tls {

namespace {

std::string subject(std::string_view option, const std::string& path, std::string_view where) {
    if (where.empty()) return fmt::format("{} \"{}\"", option, path);
    return fmt::format("{} \"{}\" ({})", option, path, where);
}

// Opening is the only honest test: access() answers for the real uid, and root passes it regardless.
Result<void> check_open(const std::string& path, std::string_view option, std::string_view where,
                        bool directory) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        int error = errno;
        if (error == ENOENT) {
            return fail(
                fmt::format("{}: no such file; fix: check the path (relative paths are taken from the "
                            "directory culex was started in)",
                            subject(option, path, where)));
        }
        return fail(fmt::format("{}: cannot reach it ({}); fix: check the permissions of its directories",
                                subject(option, path, where), std::strerror(error)));
    }
    if (directory && !S_ISDIR(st.st_mode)) {
        return fail(
            fmt::format("{}: is not a directory; fix: point it at a directory of CA certificates (made "
                        "with `openssl rehash DIR`), or use cafile for a single file",
                        subject(option, path, where)));
    }
    if (!directory && S_ISDIR(st.st_mode)) {
        return fail(fmt::format("{}: is a directory, not a file; fix: name the PEM file inside it",
                                subject(option, path, where)));
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
    if (fd < 0) {
        int error = errno;
        return fail(
            fmt::format("{}: cannot be read by this user (uid {}): {}; fix: make it readable by the user "
                        "culex runs as (chown/chmod), keeping private keys 0600",
                        subject(option, path, where), ::geteuid(), std::strerror(error)));
    }
    ::close(fd);
    return {};
}

}  // namespace

Result<void> check_readable_file(const std::string& path, std::string_view option, std::string_view where) {
    return check_open(path, option, where, false);
}

Result<void> check_readable_directory(const std::string& path, std::string_view option,
                                      std::string_view where) {
    return check_open(path, option, where, true);
}

}  // namespace culex::tls
