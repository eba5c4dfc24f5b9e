#include "bench/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace culex::bench {

std::size_t LatencyHistogram::bucket_of(std::uint64_t value) {
    if (value < kSub) return static_cast<std::size_t>(value);
    unsigned top = 63u - static_cast<unsigned>(std::countl_zero(value));  // >= kSubBits
    unsigned shift = top - kSubBits;
    std::size_t sub = static_cast<std::size_t>(value >> shift) & (kSub - 1);
    return (shift + 1) * kSub + sub;
}

std::uint64_t LatencyHistogram::bucket_low(std::size_t bucket) {
    if (bucket < kSub) return bucket;
    std::size_t shift = bucket / kSub - 1;
    std::uint64_t sub = bucket % kSub;
    return (kSub + sub) << shift;
}

void LatencyHistogram::record(std::uint64_t value) {
    ++buckets_[bucket_of(value)];
    ++count_;
    max_ = std::max(max_, value);
    min_ = std::min(min_, value);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < kBuckets; ++i)
        buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
    min_ = std::min(min_, other.min_);
}

std::uint64_t LatencyHistogram::percentile(double fraction) const {
    if (count_ == 0) return 0;
    fraction = std::clamp(fraction, 0.0, 1.0);
    // The rank of the value asked for, 1-based: p50 of 10 values is the 5th.
    auto rank = static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(count_)));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
        seen += buckets_[i];
        if (seen >= rank) {
            // The bucket's upper edge, so a percentile never understates; exact for values below kSub.
            std::uint64_t high = i + 1 < kBuckets ? bucket_low(i + 1) - 1 : UINT64_MAX;
            return std::clamp(high, min(), max_);
        }
    }
    return max_;
}

}  // namespace culex::bench
