// Child processes of the lab (culex, openssl, ip, mosquitto), each started with fork/exec, stdin from
// /dev/null, stdout and stderr merged into one pipe, and every wait bounded: a deadline, the child's exit
// (a pidfd), or an interrupt (see interrupt.hpp), whichever comes first.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "lab/error.hpp"

namespace culex::lab {

using Milliseconds = std::chrono::milliseconds;

struct CommandResult {
    int exit_code = -1;  // -1: killed (by a signal, or because it ran past its timeout)
    bool timed_out = false;
    std::string output;  // stdout and stderr, interleaved as the child wrote them
};

struct SpawnOptions {
    std::string directory;      // working directory of the child; empty: ours
    bool interruptible = true;  // false for clean-up commands, which must run even after Ctrl-C
};

// Runs `argv` to completion; a child still running after `timeout` is killed (timed_out is then true).
Result<CommandResult> run_command(const std::vector<std::string>& argv, Milliseconds timeout,
                                  const SpawnOptions& options = {});

// A child that runs while the lab does other things (a broker, a capture). The destructor stops it
// (SIGTERM, then SIGKILL after a bounded grace), so that no error path leaves one behind.
class BackgroundProcess {
  public:
    static Result<std::unique_ptr<BackgroundProcess>> start(const std::vector<std::string>& argv,
                                                            const SpawnOptions& options = {});
    ~BackgroundProcess();
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;

    // Waits until `count` lines of output match `pattern` (searched from the start). Fails, naming `what`
    // and the output so far, if the child exits first or `timeout` passes.
    Result<void> wait_for(const std::regex& pattern, Milliseconds timeout, const std::string& what,
                          int count = 1);

    // Waits for the child to exit by itself, up to `timeout`; its exit code, or an error.
    Result<int> wait_exit(Milliseconds timeout, const std::string& what);

    // Sends `signal`, waits up to `grace` for the exit, then SIGKILL. The exit code (-1 if killed).
    int stop(int signal, Milliseconds grace);

    bool running() const { return pid_ > 0; }
    const std::string& output() const { return output_; }

  private:
    BackgroundProcess(pid_t pid, int output_fd, int pid_fd)
        : pid_(pid), output_fd_(output_fd), pid_fd_(pid_fd) {}
    // Reads output and watches the exit until `done()` or the deadline; false on timeout or interrupt.
    template <typename Done>
    Result<bool> pump(std::chrono::steady_clock::time_point deadline, bool interruptible, Done done);
    void reap();

    pid_t pid_;
    int output_fd_;
    int pid_fd_;
    int exit_code_ = -1;
    bool interruptible_ = true;
    std::string output_;
};

// `argv` as one shell line, quoting the words that need it (what the transcript shows).
std::string shell_line(const std::vector<std::string>& argv);

}  // namespace culex::lab
