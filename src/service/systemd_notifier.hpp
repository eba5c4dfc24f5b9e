// The broker's side of systemd's notify protocol (sd_notify(3)), for a `Type=notify` unit: READY=1 once it
// serves, RELOADING=1 (with MONOTONIC_USEC) when SIGHUP starts a reload and READY=1 when it is done,
// STOPPING=1 when it shuts down, and WATCHDOG=1 every half of WATCHDOG_USEC when the unit sets WatchdogSec.
// Without NOTIFY_SOCKET in the environment (not started by systemd) every call does nothing.
//
// libsystemd's sd_notify, not a hand-written datagram: it knows the socket forms (abstract, path, vsock) and
// the credentials systemd checks, and libsystemd0 is on every Debian system anyway.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <thread>

namespace culex::service {

class SystemdNotifier {
  public:
    SystemdNotifier();
    ~SystemdNotifier();  // stops the watchdog thread
    SystemdNotifier(const SystemdNotifier&) = delete;
    SystemdNotifier& operator=(const SystemdNotifier&) = delete;

    void ready(std::string_view status);
    void reloading();
    void stopping();

    // Starts pinging the watchdog when systemd asked for it (WATCHDOG_USEC, for this pid).
    void start_watchdog();

    // The interval start_watchdog() pings at: half of `watchdog_usec` (what sd_watchdog_enabled reports).
    static std::chrono::microseconds watchdog_interval(std::uint64_t watchdog_usec);

  private:
    void notify(std::string_view state);

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread watchdog_;
};

// Calls reloading() now and ready() when it goes out of scope, whichever way the reload ends.
class ReloadNotice {
  public:
    explicit ReloadNotice(SystemdNotifier& notifier) : notifier_(notifier) { notifier_.reloading(); }
    ~ReloadNotice() { notifier_.ready("culex reloaded its configuration"); }
    ReloadNotice(const ReloadNotice&) = delete;
    ReloadNotice& operator=(const ReloadNotice&) = delete;

  private:
    SystemdNotifier& notifier_;
};

}  // namespace culex::service
