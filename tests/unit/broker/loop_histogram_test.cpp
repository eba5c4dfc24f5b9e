// A loop's histogram: each value counted once in the first bucket whose bound holds it, read back cumulative
// with the unbounded bucket equal to the count, and the sum in seconds.
#include "broker/loop_histogram.hpp"

#include <gtest/gtest.h>

namespace culex::broker {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr std::array<std::chrono::nanoseconds, 3> kBounds{microseconds(100), milliseconds(1),
                                                          milliseconds(10)};

TEST(LoopHistogram, CountsEachValueInItsBucketAndReadsCumulative) {
    LoopHistogram histogram{kBounds};
    histogram.record(microseconds(20));
    histogram.record(microseconds(100));  // on the bound: in it (Prometheus's "le")
    histogram.record(microseconds(500));
    histogram.record(milliseconds(20));              // above every bound
    histogram.record(std::chrono::nanoseconds(-5));  // a clock read early: counted as 0
    auto reading = histogram.read();
    ASSERT_EQ(reading.upper_bounds.size(), 3u);
    EXPECT_DOUBLE_EQ(reading.upper_bounds[0], 0.0001);
    EXPECT_DOUBLE_EQ(reading.upper_bounds[2], 0.01);
    EXPECT_EQ(reading.cumulative, (std::vector<std::uint64_t>{3, 4, 4, 5}));
    EXPECT_EQ(reading.count(), 5u);
    EXPECT_NEAR(reading.sum, 0.000020 + 0.000100 + 0.000500 + 0.020, 1e-12);
}

TEST(LoopHistogram, EmptyReadsZeros) {
    LoopHistogram histogram{kBounds};
    auto reading = histogram.read();
    EXPECT_EQ(reading.cumulative, (std::vector<std::uint64_t>{0, 0, 0, 0}));
    EXPECT_EQ(reading.count(), 0u);
    EXPECT_EQ(reading.sum, 0.0);
}

TEST(LoopHistogram, SchedulingLagBoundsAscend) {
    for (std::size_t i = 1; i < kSchedulingLagBounds.size(); ++i)
        EXPECT_LT(kSchedulingLagBounds[i - 1], kSchedulingLagBounds[i]) << i;
}

}  // namespace
}  // namespace culex::broker
