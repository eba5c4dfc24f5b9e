#include "bridge/restart_delay.hpp"

#include <gtest/gtest.h>

namespace culex::bridge {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RestartDelay, AConstantStaysConstant) {
    RestartDelay delay(seconds(20), std::nullopt);
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(delay.next(), milliseconds(20'000));
}

TEST(RestartDelay, JitterStaysBetweenBaseAndCap) {
    RestartDelay delay(seconds(5), seconds(30));
    bool reached_above_base = false;
    for (int i = 0; i < 200; ++i) {
        auto wait = delay.next();
        EXPECT_GE(wait, milliseconds(5'000));
        EXPECT_LE(wait, milliseconds(30'000));
        reached_above_base = reached_above_base || wait > milliseconds(5'000);
    }
    EXPECT_TRUE(reached_above_base);
}

TEST(RestartDelay, ResetStartsFromTheBase) {
    RestartDelay delay(seconds(1), seconds(1000));
    for (int i = 0; i < 50; ++i)
        delay.next();
    delay.reset();
    // Right after a reset the wait is at most three times the base.
    EXPECT_LE(delay.next(), milliseconds(3'000));
}

}  // namespace
}  // namespace culex::bridge
