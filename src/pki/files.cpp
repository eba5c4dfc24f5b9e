#include "pki/files.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace culex::pki {

namespace fs = std::filesystem;

Result<std::string> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        int error = errno;
        if (!fs::exists(path)) return fail(fmt::format("{}: no such file", path.string()));
        return fail(fmt::format("{}: cannot read it ({}): check its permissions", path.string(),
                                std::strerror(error)));
    }
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

namespace {

// A descriptor closed on every path out.
class FileDescriptor {
  public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    int release_and_close() {
        int result = ::close(fd_);
        fd_ = -1;
        return result;
    }

  private:
    int fd_;
};

std::string random_suffix() {
    unsigned char bytes[6];
    RAND_bytes(bytes, sizeof bytes);
    std::string out;
    for (unsigned char b : bytes)
        out += fmt::format("{:02x}", b);
    return out;
}

Result<void> write_all(int fd, std::string_view content, const fs::path& path) {
    while (!content.empty()) {
        ssize_t n = ::write(fd, content.data(), content.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(fmt::format("{}: write failed ({})", path.string(), std::strerror(errno)));
        content.remove_prefix(static_cast<std::size_t>(n));
    }
    if (::fsync(fd) != 0)
        return fail(fmt::format("{}: fsync failed ({})", path.string(), std::strerror(errno)));
    return {};
}

}  // namespace

Result<void> write_file(const fs::path& path, std::string_view content, mode_t mode, Overwrite overwrite) {
    if (overwrite == Overwrite::refuse && fs::exists(fs::symlink_status(path))) {
        return fail(
            fmt::format("{} already exists: not overwriting it (use --force to replace it)", path.string()));
    }
    fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    fs::path temporary = dir / fmt::format(".{}.{}.tmp", path.filename().string(), random_suffix());
    FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
    if (fd.get() < 0) {
        return fail(fmt::format("{}: cannot create a file there ({})", dir.string(), std::strerror(errno)));
    }
    auto written = write_all(fd.get(), content, path);
    if (fd.release_and_close() != 0 && written) {
        written = fail(fmt::format("{}: close failed ({})", path.string(), std::strerror(errno)));
    }
    if (!written) {
        ::unlink(temporary.c_str());
        return written;
    }
    // link() refuses to replace an existing file, which closes the race between the check above and now.
    int result = overwrite == Overwrite::allow ? ::rename(temporary.c_str(), path.c_str())
                                               : ::link(temporary.c_str(), path.c_str());
    int error = errno;
    if (overwrite == Overwrite::refuse || result != 0) ::unlink(temporary.c_str());
    if (result != 0) {
        if (error == EEXIST) {
            return fail(fmt::format("{} already exists: not overwriting it (use --force to replace it)",
                                    path.string()));
        }
        return fail(fmt::format("{}: cannot write it ({})", path.string(), std::strerror(error)));
    }
    return {};
}

Result<void> ensure_private_directory(const fs::path& dir) {
    if (fs::is_directory(dir)) return {};
    std::error_code ec;
    if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        return fail(fmt::format("{}: cannot create the directory ({})", dir.string(), std::strerror(errno)));
    }
    return {};
}

}  // namespace culex::pki
