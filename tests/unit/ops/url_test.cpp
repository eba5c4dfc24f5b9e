// The admin API's URL handling: percent-decoding of ids and topics, path segments, query values.
#include <gtest/gtest.h>

#include "ops/url.hpp"

namespace culex::ops {
namespace {

TEST(PercentDecode, DecodesAndRefusesBadEscapes) {
    EXPECT_EQ(percent_decode("a%2Fb%20c"), "a/b c");
    EXPECT_EQ(percent_decode("%24SYS%2fx"), "$SYS/x");
    EXPECT_EQ(percent_decode("plus+stays"), "plus+stays");
    EXPECT_FALSE(percent_decode("bad%zz"));
    EXPECT_FALSE(percent_decode("cut%2"));
    EXPECT_FALSE(percent_decode("cut%"));
}

TEST(PathSegments, SplitsWithoutDecoding) {
    EXPECT_EQ(path_segments("clients/a%2Fb/disconnect"),
              (std::vector<std::string_view>{"clients", "a%2Fb", "disconnect"}));
    EXPECT_EQ(path_segments("/broker/"), (std::vector<std::string_view>{"broker"}));
    EXPECT_TRUE(path_segments("").empty());
}

TEST(QueryValue, FindsDecodedValues) {
    EXPECT_EQ(query_value("limit=10&offset=5", "offset"), "5");
    EXPECT_EQ(query_value("q=a%2Fb", "q"), "a/b");
    EXPECT_EQ(query_value("flag", "flag"), "");
    EXPECT_FALSE(query_value("limit=10", "offset"));
}

}  // namespace
}  // namespace culex::ops
