#include "net/loop_probe.hpp"

#include <time.h>

namespace culex::net {

void LoopProbe::arm() {
    // From now, not from the last expiry: a loop that was stuck gets one late sample, not a burst of them.
    timer_.expires_after(kInterval);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        measure();
        arm();
    });
}

void LoopProbe::measure() {
    lag_.record(std::chrono::steady_clock::now() - timer_.expiry());
    timespec cpu{};
    // This thread's own clock: the loop's CPU time, whatever the process's other threads do.
    if (::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0)
        cpu_nanoseconds_.set(static_cast<std::uint64_t>(cpu.tv_sec) * 1'000'000'000u +
                             static_cast<std::uint64_t>(cpu.tv_nsec));
}

LoopFigures LoopProbe::read() const {
    auto nanoseconds = std::chrono::nanoseconds(static_cast<std::int64_t>(cpu_nanoseconds_.get()));
    return {lag_.read(), std::chrono::duration<double>(nanoseconds).count()};
}

}  // namespace culex::net
