// "Did you mean": close typos get a suggestion, unrelated words do not.
#include <gtest/gtest.h>

#include <array>

#include "config/suggest.hpp"

namespace culex::config {
namespace {

constexpr std::array<std::string_view, 6> kNames{
    "listener", "log_type", "log_dest", "max_inflight_messages", "max_inflight_bytes", "information"};

TEST(ClosestMatch, Typos) {
    EXPECT_EQ(closest_match("listner", kNames), "listener");
    EXPECT_EQ(closest_match("lsitener", kNames), "listener");  // swapped neighbours
    EXPECT_EQ(closest_match("LISTENER", kNames), "listener");
    EXPECT_EQ(closest_match("log_typ", kNames), "log_type");
    EXPECT_EQ(closest_match("max_inflight_message", kNames), "max_inflight_messages");
}

TEST(ClosestMatch, Prefixes) {
    EXPECT_EQ(closest_match("info", kNames), "information");
    EXPECT_EQ(closest_match("max_inflight", kNames), std::nullopt);  // two options begin so
}

TEST(ClosestMatch, NothingClose) {
    EXPECT_EQ(closest_match("frobnicate", kNames), std::nullopt);
    EXPECT_EQ(closest_match("x", kNames), std::nullopt);
    EXPECT_EQ(closest_match("", kNames), std::nullopt);
}

}  // namespace
}  // namespace culex::config
