#include "lab/interrupt.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>

namespace culex::lab {

namespace {

volatile std::sig_atomic_t g_signal = 0;
int g_pipe[2] = {-1, -1};
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
struct sigaction g_previous[3];

void on_signal(int signal) {
    g_signal = signal;
    char byte = 1;
    // Async-signal-safe; a full pipe already means "interrupted".
    [[maybe_unused]] auto n = write(g_pipe[1], &byte, 1);
}

}  // namespace

InterruptGuard::InterruptGuard() {
    g_signal = 0;
    if (pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) g_pipe[0] = g_pipe[1] = -1;
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < 3; ++i)
        sigaction(kSignals[i], &action, &g_previous[i]);
    std::signal(SIGPIPE, SIG_IGN);
}

InterruptGuard::~InterruptGuard() {
    for (int i = 0; i < 3; ++i)
        sigaction(kSignals[i], &g_previous[i], nullptr);
    for (int& fd : g_pipe) {
        if (fd >= 0) close(fd);
        fd = -1;
    }
}

bool interrupted() {
    return g_signal != 0;
}

int interrupt_fd() {
    return g_pipe[0];
}

int interrupt_signal() {
    return g_signal;
}

}  // namespace culex::lab
