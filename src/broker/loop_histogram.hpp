// A histogram that only its event loop writes: a plain LoopCounter per bucket (no lock, nothing another loop
// writes), read by anyone and made cumulative (Prometheus's form) only when read, at a scrape.
// prometheus-cpp's own Histogram takes a lock per observation: not for a loop.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "broker/loop_counters.hpp"  // LoopCounter

namespace culex::broker {

class LoopHistogram {
  public:
    // Ascending upper bounds; values above the last one fall in an unbounded bucket. Must outlive the
    // histogram.
    using Bounds = std::span<const std::chrono::nanoseconds>;

    explicit LoopHistogram(Bounds bounds) : bounds_(bounds), buckets_(bounds.size() + 1) {}

    // By its loop only.
    void record(std::chrono::nanoseconds value) {
        if (value.count() < 0) value = std::chrono::nanoseconds(0);
        std::size_t bucket = 0;
        while (bucket < bounds_.size() && value > bounds_[bucket])
            ++bucket;
        buckets_[bucket].add();
        sum_.add(static_cast<std::uint64_t>(value.count()));
    }

    struct Reading {
        std::vector<double> upper_bounds;       // seconds, ascending (the unbounded bucket not included)
        std::vector<std::uint64_t> cumulative;  // [i]: values <= upper_bounds[i]; back(): every value
        double sum = 0;                         // seconds

        std::uint64_t count() const { return cumulative.empty() ? 0 : cumulative.back(); }
    };

    // From any thread. The count is the buckets' total, so the unbounded bucket always equals it; the sum is
    // read apart and may lag a value recorded meanwhile.
    Reading read() const {
        Reading out;
        std::uint64_t running = 0;
        for (std::size_t i = 0; i < buckets_.size(); ++i) {
            running += buckets_[i].get();
            out.cumulative.push_back(running);
            if (i < bounds_.size())
                out.upper_bounds.push_back(std::chrono::duration<double>(bounds_[i]).count());
        }
        out.sum =
            std::chrono::duration<double>(std::chrono::nanoseconds(static_cast<std::int64_t>(sum_.get())))
                .count();
        return out;
    }

  private:
    Bounds bounds_;
    std::vector<LoopCounter> buckets_;
    LoopCounter sum_;  // nanoseconds
};

// How late a loop runs a timer: tens of microseconds on an idle loop (the kernel's timer slack), milliseconds
// behind a burst of work, seconds when a step blocks.
inline constexpr std::array<std::chrono::nanoseconds, 15> kSchedulingLagBounds{
    std::chrono::microseconds(50),  std::chrono::microseconds(100), std::chrono::microseconds(250),
    std::chrono::microseconds(500), std::chrono::milliseconds(1),   std::chrono::microseconds(2500),
    std::chrono::milliseconds(5),   std::chrono::milliseconds(10),  std::chrono::milliseconds(25),
    std::chrono::milliseconds(50),  std::chrono::milliseconds(100), std::chrono::milliseconds(250),
    std::chrono::milliseconds(500), std::chrono::seconds(1),        std::chrono::milliseconds(2500)};

}  // namespace culex::broker
