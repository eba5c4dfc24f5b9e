// The options that protect the broker from its clients (culex's own: login_throttle_free_failures,
// login_throttle_max_delay, preauth_memory_budget, output_buffer_limit) become typed values within their
// bounds, and the retired Mosquitto options culex reads and ignores are warned about with their line. Their
// effect is a delay or a drop under load: the unit tests of auth::LoginThrottle and of net's back-pressure
// show it, without a clock in an integration test.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "parse_text.hpp"

namespace culex::config {
namespace {

using text_parsing::parse_error;
using text_parsing::parse_ok;

TEST(ProtectionOptions, LoginThrottleFreeFailuresAndMaxDelayBecomeTypedValues) {
    const Config c = parse_ok("login_throttle_free_failures 0\nlogin_throttle_max_delay 5\n");
    EXPECT_EQ(c.login_throttle.free_failures, 0u);
    EXPECT_EQ(c.login_throttle.max_delay_seconds, 5u);
    EXPECT_TRUE(c.login_throttle.enabled);
    EXPECT_NE(parse_error("login_throttle_max_delay 0\n").find("culex.conf:1"), std::string::npos);
    EXPECT_NE(parse_error("login_throttle_free_failures -1\n").find("login_throttle_free_failures"),
              std::string::npos);
}

TEST(ProtectionOptions, PreauthBudgetAndOutputLimitBecomeTypedValues) {
    const Config c = parse_ok("preauth_memory_budget 65536\noutput_buffer_limit 131072\n");
    EXPECT_EQ(c.preauth_memory_budget, 65536u);
    EXPECT_EQ(c.output_buffer_limit, 131072u);
    // Below 64 KiB a single CONNECT or a single large delivery could not pass: refused, naming the line.
    EXPECT_NE(parse_error("listener 1883\npreauth_memory_budget 1024\n").find("culex.conf:2"),
              std::string::npos);
    EXPECT_NE(parse_error("output_buffer_limit 100\n").find("output_buffer_limit"), std::string::npos);
}

TEST(ProtectionOptions, RetiredMosquittoOptionsAreWarnedAboutWithTheirLine) {
    const Config c = parse_ok("listener 1883\nretry_interval 20\nstore_clean_interval 10\n");
    ASSERT_EQ(c.warnings.size(), 2u);
    EXPECT_EQ(c.warnings[0].line, 2);
    EXPECT_NE(c.warnings[0].message.find("retry_interval"), std::string::npos);
    EXPECT_EQ(c.warnings[1].line, 3);
    EXPECT_NE(c.warnings[1].message.find("store_clean_interval"), std::string::npos);
}

TEST(ProtectionOptions, TlsEngineKpassIsNotSilentlyAccepted) {
    auto parsed = parse_config(
        "listener 1883\ntls_engine_kpass_sha1 0123456789abcdef0123456789abcdef01234567\n", "culex.conf");
    std::string said = parsed ? (parsed->warnings.empty() ? "" : parsed->warnings[0].to_string())
                              : parsed.error().to_string();
    EXPECT_NE(said.find("culex.conf:2"), std::string::npos) << said;
    EXPECT_NE(said.find("tls_engine_kpass_sha1"), std::string::npos) << said;
}

}  // namespace
}  // namespace culex::config
