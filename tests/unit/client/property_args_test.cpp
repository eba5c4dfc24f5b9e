// -D and -x as mosquitto_pub/sub 2.0.11 read them: where each property goes, and their exact refusals (the
// words were taken from the real mosquitto_pub/mosquitto_sub on this machine).
#include <gtest/gtest.h>

#include "client/args.hpp"

namespace culex::client {
namespace {

using Args = std::vector<std::string>;

std::string pub_error(Args args) {
    Args base{"-t", "a", "-m", "x"};
    base.insert(base.end(), args.begin(), args.end());
    auto result = parse_pub_args(base);
    EXPECT_FALSE(result) << "accepted";
    return result ? std::string() : result.error().message;
}

TEST(PropertyArgs, EachCommandGetsItsList) {
    auto a = parse_pub_args(Args{"-t",
                                 "a",
                                 "-m",
                                 "x",
                                 "-D",
                                 "connect",
                                 "session-expiry-interval",
                                 "30",
                                 "-D",
                                 "publish",
                                 "user-property",
                                 "k",
                                 "v",
                                 "-D",
                                 "PUBLISH",
                                 "Content-Type",
                                 "text/plain",
                                 "-D",
                                 "publish",
                                 "correlation-data",
                                 "c1",
                                 "-D",
                                 "publish",
                                 "response-topic",
                                 "r/t",
                                 "-D",
                                 "publish",
                                 "message-expiry-interval",
                                 "60",
                                 "-D",
                                 "publish",
                                 "payload-format-indicator",
                                 "1",
                                 "-D",
                                 "will",
                                 "will-delay-interval",
                                 "5",
                                 "-D",
                                 "disconnect",
                                 "reason-string",
                                 "bye",
                                 "-D",
                                 "connect",
                                 "receive-maximum",
                                 "7",
                                 "-D",
                                 "connect",
                                 "topic-alias-maximum",
                                 "10",
                                 "-D",
                                 "connect",
                                 "maximum-packet-size",
                                 "1000",
                                 "-D",
                                 "connect",
                                 "request-problem-information",
                                 "1",
                                 "-D",
                                 "connect",
                                 "authentication-method",
                                 "m"});
    ASSERT_TRUE(a) << a.error().message;
    const auto& p = a->common.properties;
    EXPECT_EQ(a->common.version, protocol::ProtocolVersion::v5);  // -D implies MQTT 5, as in Mosquitto
    EXPECT_EQ(p.connect.session_expiry_interval, 30u);
    EXPECT_EQ(p.connect.receive_maximum, 7);
    EXPECT_EQ(p.connect.topic_alias_maximum, 10);
    EXPECT_EQ(p.connect.maximum_packet_size, 1000u);
    EXPECT_EQ(p.connect.request_problem_information, 1);
    EXPECT_EQ(p.connect.authentication_method, "m");
    ASSERT_EQ(p.publish.user_properties.size(), 1u);
    EXPECT_EQ(p.publish.user_properties[0], (protocol::UserProperty{"k", "v"}));
    EXPECT_EQ(p.publish.content_type, "text/plain");
    EXPECT_EQ(p.publish.correlation_data, "c1");
    EXPECT_EQ(p.publish.response_topic, "r/t");
    EXPECT_EQ(p.publish.message_expiry_interval, 60u);
    EXPECT_EQ(p.publish.payload_format_indicator, 1);
    EXPECT_EQ(p.will.will_delay_interval, 5u);
    EXPECT_EQ(p.disconnect.reason_string, "bye");
}

TEST(PropertyArgs, SubscribeTakesIdentifierAndUserProperties) {
    auto a =
        parse_sub_args(Args{"-t", "a", "-D", "subscribe", "subscription-identifier", "42", "-D", "subscribe",
                            "user-property", "a", "b", "-D", "unsubscribe", "user-property", "c", "d"});
    ASSERT_TRUE(a);
    EXPECT_EQ(a->common.properties.subscribe.subscription_identifiers, std::vector<std::uint32_t>{42});
    EXPECT_EQ(a->common.properties.subscribe.user_properties.size(), 1u);
    EXPECT_EQ(a->common.properties.unsubscribe.user_properties.size(), 1u);
}

TEST(PropertyArgs, MosquittoWording) {
    EXPECT_EQ(pub_error({"-D", "foo", "user-property", "a", "b"}),
              "Error: Invalid command given in --property argument.\n\n");
    EXPECT_EQ(pub_error({"-D", "suback", "reason-string", "x"}),
              "Error: Invalid command given in --property argument.\n\n");
    EXPECT_EQ(pub_error({"-D", "connect", "foo", "1"}),
              "Error: Invalid property name given in --property argument.\n\n");
    EXPECT_EQ(pub_error({"-D", "connect", "content-type", "x"}),
              "Error: content-type property not allowed for connect in --property argument.\n\n");
    EXPECT_EQ(
        pub_error({"-D", "publish", "subscription-identifier", "3"}),
        "Error: subscription-identifier property not supported for publish in --property argument.\n\n");
    EXPECT_EQ(pub_error({"-D", "pubcomp", "user-property", "a", "b"}),
              "Error: user-property property not supported for pubcomp in --property argument.\n\n");
    EXPECT_EQ(pub_error({"-D", "auth", "authentication-data", "a"}),
              "Error: authentication-data property not supported for auth in --property argument.\n\n");
    EXPECT_EQ(pub_error({"-D", "connack", "reason-string", "x"}), "");  // Mosquitto says nothing
    EXPECT_EQ(pub_error({"-D", "publish", "message-expiry-interval", "-1"}),
              "Error: Property value (-1) out of range for property message-expiry-interval.\n\n");
    EXPECT_EQ(pub_error({"-D", "publish", "payload-format-indicator", "300"}),
              "Error: Property value (300) out of range for property payload-format-indicator.\n\n");
    EXPECT_EQ(pub_error({"-D", "connect", "receive-maximum", "70000"}),
              "Error: Property value (70000) out of range for property receive-maximum.\n\n");
    EXPECT_EQ(pub_error({"-D", "connect", "session-expiry-interval", "4294967296"}),
              "Error: Property value (4294967296) out of range for property session-expiry-interval.\n\n");
    EXPECT_EQ(pub_error({"-D", "publish", "user-property", "a"}),
              "Error: --property argument given but not enough arguments specified.\n\n");
    EXPECT_EQ(pub_error({"-D", "publish", "content-type"}),
              "Error: --property argument given but not enough arguments specified.\n\n");
    auto sub = parse_sub_args(Args{"-t", "a", "-D", "subscribe", "subscription-identifier", "268435456"});
    ASSERT_FALSE(sub);
    EXPECT_EQ(sub.error().message, "Error adding property subscription-identifier 4\n");
    auto sub2 = parse_sub_args(Args{"-t", "a", "-D", "subscribe", "content-type", "1"});
    ASSERT_FALSE(sub2);
    EXPECT_EQ(sub2.error().message,
              "Error: content-type property not allowed for subscribe in --property argument.\n\n");
}

TEST(PropertyArgs, ChecksOnceEveryFlagIsRead) {
    EXPECT_EQ(pub_error({"-D", "connect", "session-expiry-interval", "5", "-D", "connect",
                         "session-expiry-interval", "6"}),
              "Error in CONNECT properties: Duplicate property in property list\n");
    EXPECT_EQ(pub_error({"-V", "5", "-x", "5", "-D", "connect", "session-expiry-interval", "5"}),
              "Error in CONNECT properties: Duplicate property in property list\n");
    EXPECT_EQ(pub_error({"-D", "connect", "receive-maximum", "0"}),
              "Error in CONNECT properties: A network protocol error occurred when communicating with the "
              "broker.\n");
    EXPECT_EQ(pub_error({"-D", "publish", "topic-alias", "0"}),
              "Error in PUBLISH properties: A network protocol error occurred when communicating with the "
              "broker.\n");
    EXPECT_EQ(pub_error({"-D", "will", "content-type", "a", "-D", "will", "content-type", "b"}),
              "Error in Will properties: Duplicate property in property list\n");
    EXPECT_EQ(pub_error({"-D", "disconnect", "session-expiry-interval", "4", "-D", "disconnect",
                         "session-expiry-interval", "5"}),
              "Error in DISCONNECT properties: Duplicate property in property list\n");
    // Accepted by Mosquitto 2.0.11 as well.
    EXPECT_TRUE(parse_pub_args(Args{"-t", "a", "-m", "x", "-D", "publish", "payload-format-indicator", "5"}));
    EXPECT_TRUE(parse_pub_args(Args{"-t", "a", "-m", "x", "-D", "unsubscribe", "user-property", "1", "2",
                                    "-D", "unsubscribe", "user-property", "1", "2"}));
}

TEST(SessionExpiryArg, MosquittoRulesAndWords) {
    auto a = parse_pub_args(Args{"-t", "a", "-m", "x", "-V", "5", "-x", "120"});
    ASSERT_TRUE(a);
    EXPECT_EQ(a->common.properties.connect.session_expiry_interval, 120u);
    auto forever = parse_pub_args(Args{"-t", "a", "-m", "x", "-V", "5", "-c", "-i", "me"});
    ASSERT_TRUE(forever);
    EXPECT_EQ(forever->common.properties.connect.session_expiry_interval, 0xFFFFFFFFu);
    auto v311 = parse_pub_args(Args{"-t", "a", "-m", "x", "-x", "120"});
    ASSERT_TRUE(v311);
    EXPECT_FALSE(v311->common.properties.connect.session_expiry_interval);  // ignored, as by Mosquitto
    EXPECT_EQ(pub_error({"-V", "5", "-x", "abc"}), "Error: session-expiry-interval not a number.\n\n");
    EXPECT_EQ(pub_error({"-V", "5", "-x", "-2"}), "Error: session-expiry-interval out of range.\n\n");
    EXPECT_EQ(pub_error({"-V", "5", "-x", "4294967296"}), "Error: session-expiry-interval out of range.\n\n");
    EXPECT_EQ(pub_error({"-V", "5", "-x"}),
              "Error: -x argument given but no session expiry interval specified.\n\n");
    EXPECT_EQ(pub_error({"-V", "5", "-x", "-1"}),
              "Error: You must provide a client id if you are using an infinite session expiry interval.\n");
    EXPECT_EQ(pub_error({"-V", "5", "-c"}),
              "Error: You must provide a client id if you are using an infinite session expiry interval.\n");
}

TEST(SubArgs, SubscriptionOptionsAndFormat) {
    auto a = parse_sub_args(Args{"-t", "a", "-V", "5", "--retain-as-published", "--no-local",
                                 "--retain-handling", "2", "-F", "%t %p", "--pretty"});
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->retain_as_published);
    EXPECT_TRUE(a->no_local);
    EXPECT_EQ(a->retain_handling, protocol::RetainHandling::never_send);
    EXPECT_EQ(a->output.format, "%t %p");
    EXPECT_TRUE(a->output.pretty);
    auto bad = parse_sub_args(Args{"-t", "a", "-F", "%Z"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "Error: Invalid format specifier 'Z'.\n");
    EXPECT_FALSE(parse_sub_args(Args{"-t", "a", "--retain-handling", "3"}));
}

TEST(RrArgs, Mosquitto) {
    auto a = parse_rr_args(Args{"-t", "req", "-e", "resp", "-m", "hi", "-W", "3"});
    ASSERT_TRUE(a);
    EXPECT_EQ(a->common.version, protocol::ProtocolVersion::v5);  // rr's default
    EXPECT_EQ(a->topic, "req");
    EXPECT_EQ(a->response_topic, "resp");
    EXPECT_EQ(a->timeout_seconds, 3);
    auto missing = parse_rr_args(Args{"-t", "req", "-m", "hi"});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message,
              "Error: All of topic, message, and response topic must be supplied.\n");
    auto wild = parse_rr_args(Args{"-t", "a", "-e", "b/#", "-m", "x"});
    ASSERT_FALSE(wild);
    EXPECT_EQ(wild.error().message, "Error: Invalid response topic 'b/#', does it contain '+' or '#'?\n");
    auto unknown = parse_rr_args(Args{"-t", "a", "-e", "b", "-m", "x", "-C", "3"});
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().message, "Error: Unknown option '-C'.\n");
}

}  // namespace
}  // namespace culex::client
