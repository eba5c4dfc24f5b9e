#include "net/stop_signals.hpp"

#include <pthread.h>

#include <csignal>

namespace culex::net {

namespace {

sigset_t stop_signal_set() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    return set;
}

// The destructor wakes the waiting thread with this: a real-time signal nobody else sends, so that a SIGTERM
// that arrives at the same moment is still taken as one.
int wake_signal() {
    return SIGRTMIN;
}

}  // namespace

void block_stop_signals() {
    sigset_t set = stop_signal_set();
    sigaddset(&set, wake_signal());
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

StopSignals::StopSignals(std::function<void(int)> on_signal) : on_signal_(std::move(on_signal)) {
    block_stop_signals();  // in case the caller started no thread before: then this is the first moment
    thread_ = std::thread([this] {
        sigset_t set = stop_signal_set();
        sigaddset(&set, wake_signal());
        for (;;) {
            int number = 0;
            if (sigwait(&set, &number) != 0) continue;
            if (number == wake_signal()) return;
            on_signal_(number);
        }
    });
}

StopSignals::~StopSignals() {
    pthread_kill(thread_.native_handle(), wake_signal());
    thread_.join();
}

}  // namespace culex::net
