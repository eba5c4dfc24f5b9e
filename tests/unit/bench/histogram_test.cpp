// The latency histogram: exact below 32, within 1/32 above, percentiles by rank, merging.
#include <gtest/gtest.h>

#include <random>

#include "bench/histogram.hpp"

namespace culex::bench {
namespace {

TEST(LatencyHistogram, EmptyIsZero) {
    LatencyHistogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.percentile(0.99), 0u);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
    LatencyHistogram h;
    for (std::uint64_t v = 1; v <= 10; ++v)
        h.record(v);
    EXPECT_EQ(h.percentile(0.5), 5u);
    EXPECT_EQ(h.percentile(0.9), 9u);
    EXPECT_EQ(h.percentile(1.0), 10u);
    EXPECT_EQ(h.max(), 10u);
    EXPECT_EQ(h.min(), 1u);
}

TEST(LatencyHistogram, BucketsAreContiguousAndMonotonic) {
    for (std::size_t b = 1; b < 1800; ++b) {
        EXPECT_LT(LatencyHistogram::bucket_low(b - 1), LatencyHistogram::bucket_low(b)) << b;
        EXPECT_EQ(LatencyHistogram::bucket_of(LatencyHistogram::bucket_low(b)), b);
        EXPECT_EQ(LatencyHistogram::bucket_of(LatencyHistogram::bucket_low(b) - 1), b - 1);
    }
    EXPECT_LT(LatencyHistogram::bucket_of(UINT64_MAX), 60u * 32u);
}

TEST(LatencyHistogram, PercentilesWithinBucketPrecision) {
    LatencyHistogram h;
    std::mt19937_64 random(7);
    std::vector<std::uint64_t> values;
    for (int i = 0; i < 100000; ++i) {
        std::uint64_t v = 1000 + random() % 9'000'000;  // 1 us .. 9 ms
        values.push_back(v);
        h.record(v);
    }
    std::sort(values.begin(), values.end());
    for (double p : {0.5, 0.9, 0.99, 0.999}) {
        auto exact = static_cast<double>(values[static_cast<std::size_t>(p * values.size()) - 1]);
        auto got = static_cast<double>(h.percentile(p));
        EXPECT_GE(got, exact * 0.999) << p;  // never understates
        EXPECT_LE(got, exact * (1 + 1.0 / 32) + 1) << p;
    }
    EXPECT_EQ(h.percentile(1.0), values.back());
}

TEST(LatencyHistogram, MergeAddsCountsAndKeepsExtremes) {
    LatencyHistogram a, b;
    for (int i = 0; i < 90; ++i)
        a.record(100);
    for (int i = 0; i < 10; ++i)
        b.record(1'000'000);
    a.merge(b);
    EXPECT_EQ(a.count(), 100u);
    EXPECT_EQ(a.max(), 1'000'000u);
    EXPECT_EQ(a.min(), 100u);
    EXPECT_LE(a.percentile(0.9), 103u);
    EXPECT_GE(a.percentile(0.91), 1'000'000u * 31 / 32);
}

}  // namespace
}  // namespace culex::bench
