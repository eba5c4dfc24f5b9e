// Ctrl-C (SIGINT), SIGTERM and SIGHUP while the lab runs: the handler only records the signal and wakes every
// bounded wait (a self-pipe polled with the child's output), so that the lab unwinds through its destructors:
// children stopped, namespaces removed, work directory deleted.
#pragma once

namespace culex::lab {

class InterruptGuard {
  public:
    InterruptGuard();   // installs the handlers
    ~InterruptGuard();  // restores the previous ones
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;
};

// Whether a stop signal arrived since the guard was installed.
bool interrupted();

// Becomes readable when a stop signal arrives (for poll); -1 when no guard is installed.
int interrupt_fd();

// The signal that arrived, 0 if none.
int interrupt_signal();

}  // namespace culex::lab
