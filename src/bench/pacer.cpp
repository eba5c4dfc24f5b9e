#include "bench/pacer.hpp"

namespace culex::bench {

Pacer::Pacer(double rate, unsigned publishers, unsigned index)
    : interval_(static_cast<double>(publishers) * 1e9 / rate),
      offset_(static_cast<double>(index) * 1e9 / rate) {}

void Pacer::start(std::int64_t start_ns) {
    start_ns_ = start_ns;
    started_ = true;
}

std::int64_t Pacer::at(std::uint64_t slot) const {
    // From the start each time rather than by adding intervals up: no rounding drift over millions of slots.
    return start_ns_ + static_cast<std::int64_t>(offset_ + static_cast<double>(slot) * interval_);
}

std::uint64_t Pacer::due(std::int64_t now) {
    if (now < at(slot_)) return 0;
    std::int64_t horizon = now - kCatchUpNs;
    if (at(slot_) < horizon) {
        // The first slot inside the horizon, computed rather than walked to: a publisher stalled for seconds
        // at a high rate has millions of slots behind it.
        double estimate = (static_cast<double>(horizon - start_ns_) - offset_) / interval_;
        auto first = estimate > 0 ? static_cast<std::uint64_t>(estimate) : 0;
        while (first > slot_ && at(first - 1) >= horizon)
            --first;
        while (at(first) < horizon)
            ++first;
        if (first > slot_) {
            skipped_ += first - slot_;
            slot_ = first;
        }
    }
    // Slots in (horizon, now]: a handful, since the horizon is short.
    auto count = static_cast<std::uint64_t>(static_cast<double>(now - at(slot_)) / interval_) + 1;
    while (count > 0 && at(slot_ + count - 1) > now)
        --count;
    while (at(slot_ + count) <= now)
        ++count;
    return count;
}

}  // namespace culex::bench
