#include "bridge/restart_delay.hpp"

#include <algorithm>

namespace culex::bridge {

RestartDelay::RestartDelay(std::chrono::seconds base, std::optional<std::chrono::seconds> cap)
    : base_(base), previous_(base) {
    if (cap) cap_ = *cap;
}

std::chrono::milliseconds RestartDelay::next() {
    if (!cap_) return base_;
    // Decorrelated Jitter: a random wait between the base and three times the previous one, capped.
    auto high = std::max(base_.count(), previous_.count() * 3);
    std::uniform_int_distribution<std::int64_t> pick(base_.count(), high);
    previous_ = std::min(*cap_, std::chrono::milliseconds(pick(random_)));
    return previous_;
}

}  // namespace culex::bridge
