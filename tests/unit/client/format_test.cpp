// -F as mosquitto_sub 2.0.11 prints it: each expected string below is what the real mosquitto_sub printed
// for the same message and format on this machine.
#include <gtest/gtest.h>

#include <cstdlib>

#include "client/format.hpp"

namespace culex::client {
namespace {

protocol::Publish sample() {
    protocol::Publish p;
    p.topic = "fmt/one";
    p.payload = protocol::Payload(std::string("h\xc3\xa9\"llo"));
    p.retain = true;
    auto& props = p.properties.edit();
    props.user_properties = {{"k1", "v1"}, {"k2", "v 2"}};
    props.response_topic = "resp/x";
    props.correlation_data = "c0rr";
    props.content_type = "text/plain";
    props.payload_format_indicator = 1;
    props.message_expiry_interval = 298;
    return p;
}

// 2026-11-30T19:43:38.216635 UTC.
std::chrono::system_clock::time_point when() {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1796067818)) +
           std::chrono::microseconds(216635);
}

class FormatTest : public ::testing::Test {
  protected:
    void SetUp() override { ::setenv("TZ", "UTC", 1); }
    std::string f(std::string_view format) { return apply_format(format, sample(), false, when()); }
};

TEST_F(FormatTest, MessageFields) {
    EXPECT_EQ(f("%t|%p|%q|%r|%l|%m"), "fmt/one|h\xc3\xa9\"llo|0|1|7|0");
    EXPECT_EQ(f("%P"), "k1:v1 k2:v 2");
    EXPECT_EQ(f("%R %D %C %F %E"), "resp/x c0rr text/plain 1 298");
    EXPECT_EQ(f("%x"), "68c3a9226c6c6f");
    EXPECT_EQ(f("%X"), "68C3A9226C6C6F");
    EXPECT_EQ(f("%A|%S"), "|");
    EXPECT_EQ(f("%%"), "%");
    EXPECT_EQ(f("\\t\\\\"), "\t\\");
    EXPECT_EQ(f("@@"), "@");
}

TEST_F(FormatTest, WidthPrecisionAndFlags) {
    EXPECT_EQ(f("%10t|"), "   fmt/one|");
    EXPECT_EQ(f("%-10t|"), "fmt/one   |");
    EXPECT_EQ(f("%2.3t|"), "fmt|");
    EXPECT_EQ(f("%05l|"), "00007|");
    EXPECT_EQ(f("%-5l|"), "7    |");
    EXPECT_EQ(f("%5q|"), "0|");
    EXPECT_EQ(f("%05E|"), "00298|");
    EXPECT_EQ(f("%.2C|"), "te|");
    EXPECT_EQ(f("%5m|%5r|"), "    0|1|");
    EXPECT_EQ(f("%5F|%05F"), "    1|00001");
    EXPECT_EQ(f("%4.2E"), " 298");
}

TEST_F(FormatTest, Times) {
    EXPECT_EQ(f("%I"), "2026-11-30T19:43:38+0000");
    EXPECT_EQ(f("%U"), "1796067818.216635000");
    EXPECT_EQ(f("@Y-@m @N"), "2026-11 216635000");
}

TEST_F(FormatTest, Json) {
    EXPECT_EQ(
        f("%j"),
        "{\"tst\":\"2026-11-30T19:43:38.216635Z+0000\",\"topic\":\"fmt/one\",\"qos\":0,\"retain\":1,"
        "\"payloadlen\":7,\"properties\":{\"user-properties\":{\"k1\":\"v1\",\"k2\":\"v 2\"},"
        "\"response-topic\":\"resp/x\",\"correlation-data\":\"c0rr\",\"content-type\":\"text/plain\","
        "\"payload-format-indicator\":1,\"message-expiry-interval\":298},\"payload\":\"h\xc3\xa9\\\"llo\"}");
    protocol::Publish plain;
    plain.topic = "fmt/3";
    plain.payload = protocol::Payload(std::string("a\x01\n\tb\\/"));
    plain.retain = true;
    plain.qos = protocol::QoS::at_least_once;
    plain.packet_id = 1;
    EXPECT_EQ(message_json(plain, false, when()),
              "{\"tst\":\"2026-11-30T19:43:38.216635Z+0000\",\"topic\":\"fmt/3\",\"qos\":1,\"retain\":1,"
              "\"payloadlen\":7,\"mid\":1,\"payload\":\"a\\u0001\\n\\tb\\\\/\"}");
    plain.properties = {};
    plain.properties.edit().user_properties = {{"a", "b"}};
    EXPECT_EQ(
        message_json(plain, true, when()),
        "{\n\t\"tst\":\t\"2026-11-30T19:43:38.216635Z+0000\",\n\t\"topic\":\t\"fmt/3\",\n\t\"qos\":\t1,\n"
        "\t\"retain\":\t1,\n\t\"payloadlen\":\t7,\n\t\"mid\":\t1,\n\t\"properties\":\t{\n"
        "\t\t\"user-properties\":\t{\n\t\t\t\"a\":\t\"b\"\n\t\t}\n\t},\n"
        "\t\"payload\":\t\"a\\u0001\\n\\tb\\\\/\"\n}");
}

TEST(CheckFormat, MosquittoWording) {
    EXPECT_FALSE(check_format("%t %p @H:@M \\n %-05.3t %%"));
    EXPECT_EQ(check_format("%Z"), "Error: Invalid format specifier 'Z'.\n");
    EXPECT_EQ(check_format("%"), "Error: Incomplete format specifier.\n");
    EXPECT_EQ(check_format("%5"), "Error: Incomplete format specifier.\n");
    EXPECT_EQ(check_format("%."), "Error: Incomplete format specifier.\n");
    EXPECT_EQ(check_format("%-"), "Error: Incomplete format specifier.\n");
    EXPECT_EQ(check_format("@"), "Error: Incomplete format specifier.\n");
    EXPECT_EQ(check_format("\\q"), "Error: Invalid escape specifier 'q'.\n");
    EXPECT_EQ(check_format("\\"), "Error: Incomplete escape specifier.\n");
}

}  // namespace
}  // namespace culex::client
