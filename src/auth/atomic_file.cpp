#include "auth/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace culex::auth {

namespace {

class UniqueFd {
  public:
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }
    int get() const { return fd_; }
    // Closes now, reporting the error close() may carry for a file being written.
    bool reset() {
        int fd = fd_;
        fd_ = -1;
        return fd < 0 || ::close(fd) == 0;
    }

  private:
    int fd_;
};

// Removes the temporary file unless the rename went through.
class TempFileGuard {
  public:
    explicit TempFileGuard(std::string path) : path_(std::move(path)) {}
    TempFileGuard(const TempFileGuard&) = delete;
    TempFileGuard& operator=(const TempFileGuard&) = delete;
    ~TempFileGuard() {
        if (!path_.empty()) ::unlink(path_.c_str());
    }
    void release() { path_.clear(); }

  private:
    std::string path_;
};

std::unexpected<Error> cannot_write(const std::filesystem::path& path, int error) {
    return fail("Unable to open file " + path.string() + " for writing. " + std::strerror(error) + ".");
}

bool write_all(int fd, std::string_view content) {
    while (!content.empty()) {
        ssize_t written = ::write(fd, content.data(), content.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        content.remove_prefix(static_cast<std::size_t>(written));
    }
    return true;
}

}  // namespace

Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view content) {
    std::error_code ec;
    std::filesystem::path target = path;
    if (std::filesystem::is_symlink(path, ec)) {
        target = std::filesystem::canonical(path, ec);
        if (ec) return cannot_write(path, ec.value());
    }
    auto directory = target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();

    struct stat existing {};
    bool exists = ::stat(target.c_str(), &existing) == 0;
    if (exists && !S_ISREG(existing.st_mode)) return cannot_write(path, EISDIR);

    // mkstemp creates the file 0600, so the content is never readable by others, even for a moment.
    std::string temp_path = (directory / ("." + target.filename().string() + ".XXXXXX")).string();
    UniqueFd fd(::mkstemp(temp_path.data()));
    if (fd.get() < 0) return cannot_write(path, errno);
    TempFileGuard guard(temp_path);

    if (exists) {
        // Keeping the owner needs root; without it the file stays ours, which is what the caller can do.
        if (::fchown(fd.get(), existing.st_uid, existing.st_gid) != 0 && errno != EPERM) {
            return cannot_write(path, errno);
        }
        if (::fchmod(fd.get(), existing.st_mode & 0770) != 0) return cannot_write(path, errno);
    }
    if (!write_all(fd.get(), content) || ::fsync(fd.get()) != 0) return cannot_write(path, errno);
    if (!fd.reset()) return cannot_write(path, errno);
    if (::rename(temp_path.c_str(), target.c_str()) != 0) return cannot_write(path, errno);
    guard.release();

    // The rename itself must reach the disk too, or a crash could bring the old file back.
    UniqueFd dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() >= 0) ::fsync(dir.get());
    return {};
}

}  // namespace culex::auth
