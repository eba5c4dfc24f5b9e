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

TEST(FiltersIntersect, Table) {
    struct Case {
        const char* a;
        const char* b;
        bool intersect;
    };
    const Case cases[] = {
        {"a/b", "a/b", true},
        {"a/b", "a/c", false},
        {"alice/#", "+/x", true},  // alice/x
        {"+/x", "alice/#", true},
        {"alice/#", "bob/#", false},
        {"a/+", "a/b/c", false},
        {"a/+", "+/b", true},
        {"a/#", "a", true},  // "#" matches its parent level
        {"a", "a/#", true},
        {"a", "a/+", false},  // "a/" is not "a"
        {"a/+", "a", false},
        {"a/b", "a/b/c", false},
        {"#", "anything/at/all", true},
        {"+", "a/b", false},
        {"+/+", "a/b", true},
        {"a//b", "a/+/b", true},
        {"a//b", "a/x/b", false},
        {"#", "$SYS/broker", false},  // a filter starting with a wildcard never matches a '$' topic
        {"$SYS/broker", "+/broker", false},
        {"$SYS/#", "$SYS/+/uptime", true},
        {"$SYS/#", "a/#", false},
        {"#", "#", true},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(filters_intersect(c.a, c.b), c.intersect) << c.a << " and " << c.b;
        EXPECT_EQ(filters_intersect(c.b, c.a), c.intersect) << c.b << " and " << c.a << " (swapped)";
    }
}

}  // namespace
}  // namespace culex::auth
