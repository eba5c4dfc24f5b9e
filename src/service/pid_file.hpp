// `pid_file PATH`: the broker's process id in a file, for init scripts and monitoring. Written once the
// listeners are bound (as Mosquitto does), removed on a clean exit. The file stays open with an exclusive
// flock(2) for the broker's lifetime: a file whose lock is held belongs to a running broker and is a start
// error; a file left by a crash holds no lock and is replaced. (A pid alone cannot tell: after a reboot the
// recorded pid may belong to any process.)
#pragma once

#include <sys/types.h>

#include <expected>
#include <filesystem>
#include <string>

namespace culex::service {

class PidFile {
  public:
    // Creates or takes over `path` and writes this process's id into it. An error says which process holds
    // the file, or why it cannot be written, and what to do.
    static std::expected<PidFile, std::string> create(const std::filesystem::path& path);

    PidFile(PidFile&& other) noexcept;
    PidFile& operator=(PidFile&&) = delete;
    PidFile(const PidFile&) = delete;
    ~PidFile();  // remove()

    // Deletes the file if it is still the one this process wrote (not replaced since); logs a warning when
    // it cannot (after dropping privileges, its directory may not be writable any more).
    void remove();

    const std::filesystem::path& path() const { return path_; }

  private:
    PidFile(std::filesystem::path path, int fd, dev_t device, ino_t inode);

    std::filesystem::path path_;
    int fd_ = -1;  // open and locked while the broker runs
    dev_t device_ = 0;
    ino_t inode_ = 0;
};

}  // namespace culex::service
