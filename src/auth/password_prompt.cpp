#include "auth/password_prompt.hpp"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>

namespace culex::auth {

namespace {

// The terminal settings to restore from a signal handler, which can reach only static storage.
struct termios g_saved_terminal {};

extern "C" void restore_terminal_and_reraise(int signal_number) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_terminal);
    ::signal(signal_number, SIG_DFL);
    ::raise(signal_number);
}

constexpr int kInterruptSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// Turns echo off on a terminal stdin for its lifetime.
class EchoOff {
  public:
    EchoOff() {
        if (!::isatty(STDIN_FILENO) || ::tcgetattr(STDIN_FILENO, &g_saved_terminal) != 0) return;
        // The handlers go in first: a Ctrl-C right after echo goes off must still bring it back.
        struct sigaction action {};
        action.sa_handler = restore_terminal_and_reraise;
        ::sigemptyset(&action.sa_mask);
        for (std::size_t i = 0; i < std::size(kInterruptSignals); ++i) {
            ::sigaction(kInterruptSignals[i], &action, &previous_[i]);
        }
        struct termios quiet = g_saved_terminal;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        active_ = true;
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;
    ~EchoOff() {
        if (!active_) return;
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_terminal);
        for (std::size_t i = 0; i < std::size(kInterruptSignals); ++i) {
            ::sigaction(kInterruptSignals[i], &previous_[i], nullptr);
        }
    }

  private:
    bool active_ = false;
    struct sigaction previous_[std::size(kInterruptSignals)]{};
};

}  // namespace

std::optional<std::string> read_secret_line(std::string_view prompt) {
    std::fwrite(prompt.data(), 1, prompt.size(), stdout);
    std::fflush(stdout);
    std::string line;
    bool got_any = false;
    {
        EchoOff echo_off;
        for (int c = std::getc(stdin); c != EOF; c = std::getc(stdin)) {
            got_any = true;
            if (c == '\n') break;
            line.push_back(static_cast<char>(c));
        }
    }
    // The Enter the user typed was not echoed: end the prompt's line ourselves.
    std::fputc('\n', stdout);
    std::fflush(stdout);
    if (!got_any) return std::nullopt;
    return line;
}

}  // namespace culex::auth
