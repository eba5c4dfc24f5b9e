// Each loop's lag histogram and CPU time in the Prometheus text: cumulative buckets, one +Inf per loop equal
// to its count, labelled by loop.
#include "ops/loop_metrics.hpp"

#include <gtest/gtest.h>

namespace culex::ops {
namespace {

constexpr std::array<std::chrono::nanoseconds, 2> kBounds{std::chrono::milliseconds(1),
                                                          std::chrono::milliseconds(10)};

bool has(const std::string& text, const std::string& line) {
    return text.find(line + "\n") != std::string::npos;
}

TEST(LoopMetrics, EachLoopsLagHistogramAndCpuTime) {
    broker::LoopHistogram busy{kBounds};
    busy.record(std::chrono::microseconds(500));
    busy.record(std::chrono::milliseconds(5));
    busy.record(std::chrono::milliseconds(50));
    broker::LoopHistogram idle{kBounds};
    std::string text = render_loop_metrics({{busy.read(), 1.5}, {idle.read(), 0.25}});
    EXPECT_TRUE(has(text, "# TYPE culex_loop_scheduling_lag_seconds histogram")) << text;
    EXPECT_TRUE(has(text, R"(culex_loop_scheduling_lag_seconds_bucket{loop="0",le="0.001"} 1)")) << text;
    EXPECT_TRUE(has(text, R"(culex_loop_scheduling_lag_seconds_bucket{loop="0",le="0.01"} 2)")) << text;
    EXPECT_TRUE(has(text, R"(culex_loop_scheduling_lag_seconds_bucket{loop="0",le="+Inf"} 3)")) << text;
    EXPECT_TRUE(has(text, R"(culex_loop_scheduling_lag_seconds_count{loop="0"} 3)")) << text;
    EXPECT_TRUE(has(text, R"(culex_loop_scheduling_lag_seconds_bucket{loop="1",le="+Inf"} 0)")) << text;
    // One +Inf bucket per loop: named by us, not added again by the serializer.
    std::size_t infinities = 0;
    for (auto at = text.find(R"(le="+Inf")"); at != std::string::npos; at = text.find(R"(le="+Inf")", at + 1))
        ++infinities;
    EXPECT_EQ(infinities, 2u) << text;
    EXPECT_TRUE(has(text, "# TYPE culex_loop_cpu_seconds_total counter")) << text;
    EXPECT_TRUE(has(text, R"(culex_loop_cpu_seconds_total{loop="0"} 1.5)")) << text;
    EXPECT_TRUE(has(text, R"(culex_loop_cpu_seconds_total{loop="1"} 0.25)")) << text;
}

TEST(LoopMetrics, NoLoopsNoFamilies) {
    EXPECT_EQ(render_loop_metrics({}), "");
}

}  // namespace
}  // namespace culex::ops
