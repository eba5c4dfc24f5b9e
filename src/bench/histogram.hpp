// Latency histogram with fixed, log-linear buckets (32 per power of two: within 3.2% of the true value),
// from 1 ns to the full 64-bit range. Recording is an index computation and an increment: no allocation,
// so receivers can record every message. One per event loop; merged when the run ends.
#pragma once

#include <array>
#include <cstdint>

namespace culex::bench {

class LatencyHistogram {
  public:
    void record(std::uint64_t value);
    void merge(const LatencyHistogram& other);

    std::uint64_t count() const { return count_; }
    std::uint64_t max() const { return max_; }
    std::uint64_t min() const { return count_ == 0 ? 0 : min_; }
    // The smallest recorded-bucket bound at or below which `fraction` (0..1) of the values lie; never above
    // max(). 0 when empty.
    std::uint64_t percentile(double fraction) const;

    static std::size_t bucket_of(std::uint64_t value);
    static std::uint64_t bucket_low(std::size_t bucket);

  private:
    static constexpr unsigned kSubBits = 5;
    static constexpr std::size_t kSub = 1u << kSubBits;
    static constexpr std::size_t kBuckets = (64 - kSubBits + 1) * kSub;

    std::array<std::uint64_t, kBuckets> buckets_{};
    std::uint64_t count_ = 0;
    std::uint64_t max_ = 0;
    std::uint64_t min_ = UINT64_MAX;
};

}  // namespace culex::bench
