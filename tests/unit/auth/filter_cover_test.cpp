#include "auth/filter_cover.hpp"

#include <gtest/gtest.h>

namespace culex::auth {
namespace {

TEST(FilterCovers, Table) {
    struct Case {
        const char* outer;
        const char* inner;
        bool covers;
    };
    const Case cases[] = {
        {"a/b", "a/b", true},
        {"a/b", "a/c", false},
        {"a/b", "a/b/c", false},
        {"a/b/c", "a/b", false},
        {"a/+", "a/b", true},
        {"a/+", "a/+", true},
        {"a/+", "a/#", false},  // "#" reaches deeper than one level
        {"a/+", "a", false},
        {"a/b", "a/+", false},  // "+" may be "c"
        {"a/#", "a", true},     // "#" covers its parent level, as in matching
        {"a/#", "a/b/c", true},
        {"a/#", "a/+/c", true},
        {"a/#", "a/#", true},
        {"a/#", "b/#", false},
        {"#", "anything/at/all", true},
        {"#", "#", true},
        {"+/+", "+/+", true},
        {"+/+", "+/#", false},
        {"+", "a/b", false},
        {"a//b", "a//b", true},
        {"a/+/b", "a//b", true},
        {"a/", "a/", true},
        {"a/", "a", false},
        {"#", "$SYS/broker", false},  // wildcards at the start do not reach $ topics
        {"+/broker", "$SYS/broker", false},
        {"$SYS/#", "$SYS/broker/uptime", true},
        {"$SYS/#", "a", false},
        {"$SYS/+", "$SYS/#", false},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(filter_covers(c.outer, c.inner), c.covers) << c.outer << " covers " << c.inner;
    }
}

}  // namespace
}  // namespace culex::auth
