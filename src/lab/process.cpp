#include "lab/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iterator>

#include <fmt/format.h>

#include "lab/interrupt.hpp"

namespace culex::lab {

namespace {

using Clock = std::chrono::steady_clock;

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(const std::vector<char*>& args, int output_fd, const char* directory) {
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    for (int signal : {SIGINT, SIGTERM, SIGHUP, SIGPIPE})
        sigaction(signal, &action, nullptr);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(output_fd, 1) < 0 || dup2(output_fd, 2) < 0) _exit(126);
    close_range(3, ~0U, 0);
    if (directory != nullptr && chdir(directory) != 0) _exit(126);
    execvp(args[0], args.data());
    const char* prefix = "exec failed: ";
    [[maybe_unused]] auto a = write(2, prefix, std::strlen(prefix));
    [[maybe_unused]] auto b = write(2, args[0], std::strlen(args[0]));
    [[maybe_unused]] auto c = write(2, "\n", 1);
    _exit(127);
}

int exit_code_of(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return -1;
}

}  // namespace

Result<std::unique_ptr<BackgroundProcess>> BackgroundProcess::start(const std::vector<std::string>& argv,
                                                                    const SpawnOptions& options) {
    if (argv.empty()) return std::unexpected(Error{"internal error: an empty command"});
    std::vector<char*> args;
    for (const auto& word : argv)
        args.push_back(const_cast<char*>(word.c_str()));
    args.push_back(nullptr);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return std::unexpected(
            Error{fmt::format("cannot make a pipe for {}: {}", argv[0], std::strerror(errno))});
    const char* directory = options.directory.empty() ? nullptr : options.directory.c_str();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return std::unexpected(Error{fmt::format("cannot start {}: {}", argv[0], std::strerror(errno))});
    }
    if (pid == 0) exec_child(args, fds[1], directory);
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    // The syscall, not glibc 2.36's <sys/pidfd.h>, whose declarations lack extern "C" for C++.
    int pid_fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (pid_fd < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        close(fds[0]);
        return std::unexpected(
            Error{fmt::format("pidfd_open failed: {} (Linux 5.3 or later is needed)", std::strerror(errno))});
    }
    std::unique_ptr<BackgroundProcess> process(new BackgroundProcess(pid, fds[0], pid_fd));
    process->interruptible_ = options.interruptible;
    return process;
}

BackgroundProcess::~BackgroundProcess() {
    if (pid_ > 0) stop(SIGTERM, Milliseconds(3000));
    if (output_fd_ >= 0) close(output_fd_);
    if (pid_fd_ >= 0) close(pid_fd_);
}

void BackgroundProcess::reap() {
    int status = 0;
    pid_t reaped;
    do {
        reaped = waitpid(pid_, &status, 0);
    } while (reaped < 0 && errno == EINTR);  // our handlers have no SA_RESTART
    if (reaped == pid_) exit_code_ = exit_code_of(status);
    pid_ = -1;
    // What the child wrote just before exiting is still in the pipe.
    char buffer[4096];
    ssize_t n;
    while (output_fd_ >= 0 && (n = read(output_fd_, buffer, sizeof buffer)) > 0)
        output_.append(buffer, n);
}

template <typename Done>
Result<bool> BackgroundProcess::pump(Clock::time_point deadline, bool interruptible, Done done) {
    while (!done()) {
        if (pid_ <= 0) return false;
        if (interruptible && interrupted()) return std::unexpected(Error{"interrupted", true});
        auto left = std::chrono::duration_cast<Milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        pollfd fds[3] = {{output_fd_, POLLIN, 0}, {pid_fd_, POLLIN, 0}, {interrupt_fd(), POLLIN, 0}};
        int nfds = interruptible && interrupt_fd() >= 0 ? 3 : 2;
        if (output_fd_ < 0) fds[0].fd = -1;
        int ready = poll(fds, nfds, static_cast<int>(std::min<long>(left, 1000)));
        if (ready < 0 && errno != EINTR)
            return std::unexpected(Error{fmt::format("poll failed: {}", std::strerror(errno))});
        if (ready <= 0) continue;
        if (fds[0].revents != 0) {
            char buffer[4096];
            ssize_t n = read(output_fd_, buffer, sizeof buffer);
            if (n > 0) {
                output_.append(buffer, n);
            } else if (n == 0) {
                close(output_fd_);
                output_fd_ = -1;
            }
        }
        if (fds[1].revents != 0) reap();
    }
    return true;
}

Result<void> BackgroundProcess::wait_for(const std::regex& pattern, Milliseconds timeout,
                                         const std::string& what, int count) {
    auto matches = [&] {
        auto begin = std::sregex_iterator(output_.begin(), output_.end(), pattern);
        return std::distance(begin, std::sregex_iterator()) >= count;
    };
    auto done = pump(Clock::now() + timeout, interruptible_, matches);
    if (!done) return std::unexpected(done.error());
    if (*done) return {};
    std::string why = pid_ > 0 ? fmt::format("not within {} ms", timeout.count())
                               : fmt::format("the process exited first (exit code {})", exit_code_);
    return std::unexpected(Error{fmt::format("waiting for {}: {}; its output:\n{}", what, why, output_)});
}

Result<int> BackgroundProcess::wait_exit(Milliseconds timeout, const std::string& what) {
    auto done = pump(Clock::now() + timeout, interruptible_, [&] { return pid_ <= 0; });
    if (!done) return std::unexpected(done.error());
    if (pid_ <= 0) return exit_code_;
    return std::unexpected(
        Error{fmt::format("{} did not end within {} ms; its output:\n{}", what, timeout.count(), output_)});
}

int BackgroundProcess::stop(int signal, Milliseconds grace) {
    if (pid_ <= 0) return exit_code_;
    kill(pid_, signal);
    // Not interruptible: a second Ctrl-C must not leave the child running.
    [[maybe_unused]] auto done = pump(Clock::now() + grace, false, [&] { return pid_ <= 0; });
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        reap();
        exit_code_ = -1;
    }
    return exit_code_;
}

Result<CommandResult> run_command(const std::vector<std::string>& argv, Milliseconds timeout,
                                  const SpawnOptions& options) {
    auto process = BackgroundProcess::start(argv, options);
    if (!process) return std::unexpected(process.error());
    CommandResult result;
    auto code = (*process)->wait_exit(timeout, argv[0]);
    if (!code && code.error().interrupted) return std::unexpected(code.error());
    if (code) {
        result.exit_code = *code;
    } else {
        result.timed_out = true;
        result.exit_code = (*process)->stop(SIGKILL, Milliseconds(2000));
    }
    result.output = (*process)->output();
    return result;
}

std::string shell_line(const std::vector<std::string>& argv) {
    std::string line;
    for (const auto& word : argv) {
        if (!line.empty()) line += ' ';
        bool plain = !word.empty() && word.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789-_./=:,@+%") == std::string::npos;
        if (plain) {
            line += word;
        } else if (word.find_first_of("\"$`\\!") == std::string::npos) {
            line += '"' + word + '"';  // as the lab writes `-t "#"`
        } else {
            line += '\'';
            for (char c : word)
                line += c == '\'' ? std::string("'\\''") : std::string(1, c);
            line += '\'';
        }
    }
    return line;
}

}  // namespace culex::lab
