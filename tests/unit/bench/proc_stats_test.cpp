// /proc parsing for --broker-pid: the command name may hold spaces and parentheses; RSS is in KiB.
#include <gtest/gtest.h>
#include <unistd.h>

#include "bench/proc_stats.hpp"

namespace culex::bench {
namespace {

TEST(ProcStats, StatCpuCountsFromTheLastParenthesis) {
    // Fields 14 (utime) and 15 (stime) are 250 and 150 ticks.
    std::string stat = "4242 (my (odd) broker) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 3 0 100";
    auto cpu = parse_stat_cpu_seconds(stat, 100);
    ASSERT_TRUE(cpu);
    EXPECT_DOUBLE_EQ(*cpu, 4.0);
    EXPECT_FALSE(parse_stat_cpu_seconds("4242 (x) S 1 2", 100));
    EXPECT_FALSE(parse_stat_cpu_seconds("no parenthesis", 100));
}

TEST(ProcStats, StatusRssInBytes) {
    std::string status = "Name:\tmosquitto\nVmPeak:\t  20000 kB\nVmRSS:\t    7300 kB\nRssAnon:\t 1000 kB\n";
    EXPECT_EQ(parse_status_rss_bytes(status), 7300u * 1024);
    EXPECT_FALSE(parse_status_rss_bytes("Name:\tkthreadd\n"));
}

TEST(ProcStats, SamplesThisProcess) {
    auto sample = sample_process(getpid());
    ASSERT_TRUE(sample) << sample.error().message;
    EXPECT_GT(sample->rss_bytes, 0u);
    EXPECT_GE(sample->cpu_seconds, 0.0);
}

TEST(ProcStats, MissingProcessNamesTheFlag) {
    auto sample = sample_process(999'999'999);
    ASSERT_FALSE(sample);
    EXPECT_NE(sample.error().message.find("--broker-pid"), std::string::npos);
}

}  // namespace
}  // namespace culex::bench
