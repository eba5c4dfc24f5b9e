// The JSON that bench/compare.sh reads: its keys, and the per-CPU-second figure it compares brokers by.
#include <gtest/gtest.h>

#include "bench/report.hpp"

namespace culex::bench {
namespace {

Result sample_result() {
    Result r;
    r.options.scenario = Scenario::p2p;
    r.topology = {8, 8, 0, 1, false};
    r.connections = 16;
    r.connect_seconds = 0.5;
    r.sent = 1000;
    r.received = 1000;
    r.expected = 1000;
    r.publish_seconds = 2;
    r.receive_seconds = 2.5;
    r.broker = BrokerUsage{{42}, 0.25, 1000, 3000, 4000};
    return r;
}

TEST(Report, JsonHasTheKeysScriptsRead) {
    auto j = to_json(sample_result());
    EXPECT_EQ(j["scenario"], "p2p");
    EXPECT_EQ(j["sent"], 1000);
    EXPECT_EQ(j["received"], 1000);
    EXPECT_EQ(j["lost"], 0);
    EXPECT_EQ(j["duplicated"], 0);
    EXPECT_DOUBLE_EQ(j["sent_per_second"].get<double>(), 500.0);
    EXPECT_DOUBLE_EQ(j["received_per_second"].get<double>(), 400.0);
    for (const char* key : {"p50", "p90", "p99", "p99.9", "max"})
        EXPECT_TRUE(j["latency_us"].contains(key)) << key;
    EXPECT_DOUBLE_EQ(j["broker"]["messages_per_cpu_second"].get<double>(), 4000.0);
    EXPECT_DOUBLE_EQ(j["connect"]["per_second"].get<double>(), 32.0);
    EXPECT_EQ(j["persistent_subscribers"], false);
}

TEST(Report, PersistentSubscribersAreNamed) {
    auto r = sample_result();
    r.options.persistent_subscribers = true;
    EXPECT_EQ(to_json(r)["persistent_subscribers"], true);
    auto text = to_text(r);
    EXPECT_NE(text.find("8 sub (persistent sessions)"), std::string::npos) << text;
}

TEST(Report, PerCpuSecondCountsAcceptedPublishesWithoutSubscribers) {
    auto r = sample_result();
    r.topology = {1, 0, 0, 0, false};
    r.received = 0;
    EXPECT_DOUBLE_EQ(*r.messages_per_broker_cpu_second(), 4000.0);
    r.broker.reset();
    EXPECT_FALSE(r.messages_per_broker_cpu_second());
    EXPECT_FALSE(to_json(r).contains("broker"));
}

TEST(Report, TwoBrokersAreNamedTogether) {
    auto r = sample_result();
    r.broker->pids = {42, 43};
    auto j = to_json(r);
    EXPECT_EQ(j["broker"]["pid"], 42);
    EXPECT_EQ(j["broker"]["pids"], nlohmann::json::array({42, 43}));
    auto text = to_text(r);
    EXPECT_NE(text.find("broker    pid 42+43 |"), std::string::npos) << text;
}

TEST(Report, BytesPerConnection) {
    auto r = sample_result();
    EXPECT_DOUBLE_EQ(*r.broker_bytes_per_connection(), 2000.0 / 16);
}

TEST(Report, TextAndProgressNameTheFigures) {
    auto text = to_text(sample_result());
    EXPECT_NE(text.find("sent      1,000 msgs"), std::string::npos) << text;
    EXPECT_NE(text.find("4,000 msg per cpu-second"), std::string::npos) << text;
    Progress p;
    p.elapsed = 3;
    p.sent_per_second = 1234567;
    p.broker_cpu_percent = 97;
    auto line = progress_line(p);
    EXPECT_NE(line.find("1,234,567/s"), std::string::npos) << line;
    EXPECT_NE(line.find("broker cpu 97%"), std::string::npos) << line;
}

}  // namespace
}  // namespace culex::bench
