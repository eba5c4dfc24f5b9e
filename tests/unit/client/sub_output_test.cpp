// What `culex sub` prints per message, as mosquitto_sub 2.0.11 prints it.
#include <gtest/gtest.h>

#include "client/sub_tool.hpp"

namespace culex::client {
namespace {

protocol::Publish message(std::string topic, std::string payload, bool retain = false) {
    protocol::Publish p;
    p.topic = std::move(topic);
    p.payload = protocol::Payload(std::move(payload));
    p.retain = retain;
    return p;
}

TEST(SubOutput, PayloadThenNewline) {
    SubArgs a;
    EXPECT_EQ(format_message(a, message("world", "hello")), "hello\n");
}

TEST(SubOutput, VerboseIsTopicSpacePayload) {
    SubArgs a;
    a.verbose = true;
    EXPECT_EQ(format_message(a, message("world", "hello")), "world hello\n");
}

TEST(SubOutput, NoEndOfLine) {
    SubArgs a;
    a.eol = false;
    a.verbose = true;
    EXPECT_EQ(format_message(a, message("t", "x")), "t x");
}

TEST(SubOutput, NullMessage) {
    SubArgs a;
    EXPECT_EQ(format_message(a, message("t", "")), "");
    a.verbose = true;
    EXPECT_EQ(format_message(a, message("t", "")), "t (null)\n");
    a.eol = false;
    EXPECT_EQ(format_message(a, message("t", "")), "");
}

TEST(SubOutput, BinaryPayloadIsWrittenAsIs) {
    SubArgs a;
    EXPECT_EQ(format_message(a, message("t", std::string("a\0b", 3))), std::string("a\0b\n", 4));
}

TEST(SubOutput, RetainedSkippedWithR) {
    SubArgs a;
    a.no_retain = true;
    EXPECT_EQ(format_message(a, message("t", "old", true)), "");
    EXPECT_EQ(format_message(a, message("t", "new", false)), "new\n");
}

TEST(SubOutput, FilteredOutTopics) {
    SubArgs a;
    a.filter_outs = {"a/+"};
    EXPECT_EQ(format_message(a, message("a/b", "x")), "");
    EXPECT_EQ(format_message(a, message("a/b/c", "x")), "x\n");
}

}  // namespace
}  // namespace culex::client
