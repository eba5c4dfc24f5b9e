#include "service/systemd_notifier.hpp"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "log/logger.hpp"

namespace culex::service {

namespace {

using culex::log::logger;
using culex::log::LogType;

std::uint64_t monotonic_usec() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u +
           static_cast<std::uint64_t>(now.tv_nsec) / 1000u;
}

}  // namespace

SystemdNotifier::SystemdNotifier() = default;

SystemdNotifier::~SystemdNotifier() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (watchdog_.joinable()) watchdog_.join();
}

void SystemdNotifier::notify(std::string_view state) {
    const std::string text(state);
    // 0: nothing to tell (no NOTIFY_SOCKET); < 0: the socket refused, which systemd will notice by itself.
    if (const int rc = ::sd_notify(0, text.c_str()); rc < 0)
        logger().log(LogType::warning, "Warning: cannot notify systemd ({}): {}",
                     text.substr(0, text.find('\n')), std::strerror(-rc));
}

void SystemdNotifier::ready(std::string_view status) {
    notify(fmt::format("READY=1\nSTATUS={}", status));
}

void SystemdNotifier::reloading() {
    notify(fmt::format("RELOADING=1\nMONOTONIC_USEC={}\nSTATUS=culex is reloading its configuration",
                       monotonic_usec()));
}

void SystemdNotifier::stopping() {
    notify("STOPPING=1\nSTATUS=culex is shutting down");
}

std::chrono::microseconds SystemdNotifier::watchdog_interval(std::uint64_t watchdog_usec) {
    return std::chrono::microseconds(watchdog_usec / 2);
}

void SystemdNotifier::start_watchdog() {
    std::uint64_t usec = 0;
    if (::sd_watchdog_enabled(0, &usec) <= 0 || usec == 0 || watchdog_.joinable()) return;
    const auto interval = watchdog_interval(usec);
    logger().log(LogType::information, "systemd watchdog: notifying every {} ms.", interval.count() / 1000);
    watchdog_ = std::thread([this, interval] {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            lock.unlock();
            notify("WATCHDOG=1");
            lock.lock();
            wake_.wait_for(lock, interval, [this] { return stopping_; });
        }
    });
}

}  // namespace culex::service
