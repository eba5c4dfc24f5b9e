// One value at a time: booleans, bounded numbers, durations.
#include <gtest/gtest.h>

#include "config/values.hpp"

namespace culex::config {
namespace {

using namespace std::chrono_literals;

TEST(ParseBool, OnlyTrueAndFalse) {
    EXPECT_EQ(parse_bool("retain_available", "true"), true);
    EXPECT_EQ(parse_bool("retain_available", "false"), false);
    for (const char* bad : {"yes", "1", "True", "on", ""}) {
        auto r = parse_bool("retain_available", bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error(), std::string("'retain_available' needs true or false, got '") + bad + "'");
    }
}

TEST(ParseInteger, BoundsAndJunk) {
    EXPECT_EQ(parse_integer("x", "0", 0, 10), 0);
    EXPECT_EQ(parse_integer("x", "10", 0, 10), 10);
    EXPECT_EQ(parse_integer("x", "-1", -1, 10), -1);
    for (const char* bad : {"11", "-1", "lots", "1e3", "0x10", "+5", "5 ", "", "99999999999999999999999"}) {
        auto r = parse_integer("x", bad, 0, 10);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error(), std::string("'x' needs a number between 0 and 10, got '") + bad + "'");
    }
}

TEST(ParseDuration, MosquittoUnits) {
    struct Case {
        const char* text;
        std::chrono::seconds expected;
    };
    for (const auto& [text, expected] : {
             Case{"1h", 1h},
             Case{"2d", 48h},
             Case{"3w", 21 * 24h},
             Case{"1m", 30 * 24h},  // Mosquitto's month: 30 days
             Case{"1y", 365 * 24h},
             Case{"14d", 14 * 24h},
             Case{"36h", 36h},
         }) {
        auto r = parse_duration("persistent_client_expiration", text);
        ASSERT_TRUE(r) << text << ": " << r.error();
        EXPECT_EQ(*r, expected) << text;
    }
}

TEST(ParseDuration, RejectsWhatMosquittoRejects) {
    for (const char* bad : {"5", "0d", "-1d", "d", "1s", "1 d", "1.5d", "1D", "", "99999999999999999999y"}) {
        auto r = parse_duration("persistent_client_expiration", bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error(),
                  std::string("'persistent_client_expiration' needs a whole number followed by h, d, w, "
                              "m or y (hours, days, weeks, months of 30 days, years of 365 days), "
                              "such as 14d; got '") +
                      bad + "'");
    }
}

}  // namespace
}  // namespace culex::config
