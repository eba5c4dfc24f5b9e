// SIGINT, SIGTERM and SIGHUP for `culex broker`, taken by one thread with sigwait(), never by a handler.
//
// Why not a handler (Asio's signal_set was one): a process-directed signal runs its handler on whichever
// thread the kernel picks. Under ThreadSanitizer that handler is deferred until the thread next enters the
// sanitizer's runtime, and a thread parked in a condition wait may never do so: CI saw a SIGTERM vanish and
// the broker keep running until it was killed. Blocked in every thread and taken by sigwait() on one, a
// signal is received synchronously, whatever thread it was sent to and whenever it was sent (one sent before
// the waiter starts stays pending until then).
#pragma once

#include <functional>
#include <thread>

namespace culex::net {

// Blocks the three signals in the calling thread, and so in every thread it starts afterwards. Call it first
// thing in the broker, before any thread exists.
void block_stop_signals();

class StopSignals {
  public:
    // on_signal(number) runs on the waiting thread for each SIGINT, SIGTERM or SIGHUP received.
    explicit StopSignals(std::function<void(int)> on_signal);
    ~StopSignals();  // stops waiting and joins the thread

    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

  private:
    std::function<void(int)> on_signal_;
    std::thread thread_;
};

}  // namespace culex::net
