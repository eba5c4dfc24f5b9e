#include "auth/login_throttle.hpp"

#include <gtest/gtest.h>

namespace culex::auth {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A clock that moves only when the test says so.
struct FakeClock {
    LoginThrottle::Clock::time_point now{seconds(1000)};
    LoginThrottle::Now source() {
        return [this] { return now; };
    }
};

ThrottleSettings settings() {
    ThrottleSettings s;
    s.free_failures = 3;
    s.first_delay = milliseconds(1000);
    s.max_delay = milliseconds(8000);
    s.half_life = seconds(60);
    return s;
}

TEST(LoginThrottle, FreeFailuresThenDoublingUpToTheCap) {
    FakeClock clock;
    LoginThrottle throttle(settings(), clock.source());
    const char* ip = "192.0.2.7";
    std::vector<long> delays;
    for (int i = 0; i < 8; ++i) {
        throttle.record_failure(ip);
        delays.push_back(throttle.current_delay(ip).count());
    }
    EXPECT_EQ(delays, (std::vector<long>{0, 0, 0, 1000, 2000, 4000, 8000, 8000}));
    EXPECT_EQ(throttle.total_failures(), 8u);
}

TEST(LoginThrottle, AddressesAreIndependent) {
    FakeClock clock;
    LoginThrottle throttle(settings(), clock.source());
    for (int i = 0; i < 5; ++i)
        throttle.record_failure("192.0.2.7");
    EXPECT_EQ(throttle.current_delay("192.0.2.7"), milliseconds(2000));
    EXPECT_EQ(throttle.current_delay("192.0.2.8"), milliseconds(0));
    EXPECT_EQ(throttle.admit("192.0.2.8"), milliseconds(0));
}

TEST(LoginThrottle, ScoreDecaysByHalfEachHalfLife) {
    FakeClock clock;
    LoginThrottle throttle(settings(), clock.source());
    for (int i = 0; i < 7; ++i)
        throttle.record_failure("10.0.0.1");  // score 7: 4 past the free ones
    EXPECT_EQ(throttle.current_delay("10.0.0.1"), milliseconds(8000));
    clock.now += seconds(60);  // score 3.5
    EXPECT_EQ(throttle.current_delay("10.0.0.1"), milliseconds(1000));
    clock.now += seconds(60);  // score 1.75
    EXPECT_EQ(throttle.current_delay("10.0.0.1"), milliseconds(0));
    throttle.record_failure("10.0.0.1");  // 2.75: still within the free ones
    EXPECT_EQ(throttle.current_delay("10.0.0.1"), milliseconds(0));
    throttle.record_failure("10.0.0.1");  // 3.75
    EXPECT_EQ(throttle.current_delay("10.0.0.1"), milliseconds(1000));
}

TEST(LoginThrottle, ParallelAttemptsQueueBehindEachOther) {
    FakeClock clock;
    LoginThrottle throttle(settings(), clock.source());
    for (int i = 0; i < 4; ++i)
        throttle.record_failure("198.51.100.1");  // delay 1 s
    EXPECT_EQ(throttle.admit("198.51.100.1"), milliseconds(1000));
    EXPECT_EQ(throttle.admit("198.51.100.1"), milliseconds(2000));
    EXPECT_EQ(throttle.admit("198.51.100.1"), milliseconds(3000));
    clock.now += seconds(3);  // the queue has drained
    EXPECT_EQ(throttle.admit("198.51.100.1"), milliseconds(1000));
}

TEST(LoginThrottle, NoFailuresNoDelayNoMemory) {
    FakeClock clock;
    LoginThrottle throttle(settings(), clock.source());
    for (int i = 0; i < 100; ++i)
        EXPECT_EQ(throttle.admit("203.0.113.9"), milliseconds(0));
    EXPECT_EQ(throttle.tracked_addresses(), 0u);
}

TEST(LoginThrottle, Ipv6CountsPerSlash64AndMappedIpv4AsIpv4) {
    EXPECT_EQ(LoginThrottle::address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
    EXPECT_EQ(LoginThrottle::address_key("2001:db8:1:2:bbbb::99"), "2001:db8:1:2::/64");
    EXPECT_EQ(LoginThrottle::address_key("::ffff:192.0.2.1"), "192.0.2.1");
    EXPECT_EQ(LoginThrottle::address_key("192.0.2.1"), "192.0.2.1");

    FakeClock clock;
    LoginThrottle throttle(settings(), clock.source());
    for (int i = 0; i < 4; ++i)
        throttle.record_failure("2001:db8:1:2::" + std::to_string(i + 1));
    EXPECT_EQ(throttle.current_delay("2001:db8:1:2:ffff::1"), milliseconds(1000));
    EXPECT_EQ(throttle.current_delay("2001:db8:1:3::1"), milliseconds(0));
}

TEST(LoginThrottle, MemoryIsBoundedAndKeepsTheWorstOffender) {
    FakeClock clock;
    auto s = settings();
    s.max_addresses = 3;
    LoginThrottle throttle(s, clock.source());
    for (int i = 0; i < 6; ++i)
        throttle.record_failure("192.0.2.66");
    for (int i = 1; i <= 10; ++i)
        throttle.record_failure("198.51.100." + std::to_string(i));
    EXPECT_LE(throttle.tracked_addresses(), 3u);
    EXPECT_EQ(throttle.current_delay("192.0.2.66"), milliseconds(4000));
}

TEST(LoginThrottle, DisabledNeverDelaysButStillCounts) {
    FakeClock clock;
    auto s = settings();
    s.enabled = false;
    LoginThrottle throttle(s, clock.source());
    for (int i = 0; i < 10; ++i)
        throttle.record_failure("192.0.2.1");
    EXPECT_EQ(throttle.admit("192.0.2.1"), milliseconds(0));
    EXPECT_EQ(throttle.total_failures(), 10u);
}

}  // namespace
}  // namespace culex::auth
