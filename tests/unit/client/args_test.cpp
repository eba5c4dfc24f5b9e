// mosquitto_pub/mosquitto_sub's command lines: what they accept, what they mean, and their exact refusals.
#include <gtest/gtest.h>

#include "client/args.hpp"

namespace culex::client {
namespace {

using Args = std::vector<std::string>;

std::string pub_error(const Args& args) {
    auto result = parse_pub_args(args);
    EXPECT_FALSE(result) << "accepted";
    return result ? std::string() : result.error().message;
}

std::string sub_error(const Args& args) {
    auto result = parse_sub_args(args);
    EXPECT_FALSE(result) << "accepted";
    return result ? std::string() : result.error().message;
}

TEST(PubArgs, TheLabCommand) {
    auto a = parse_pub_args(Args{"-h", "broker", "-m", "hello", "-t", "world"});
    ASSERT_TRUE(a);
    EXPECT_EQ(a->common.host, "broker");
    EXPECT_EQ(a->common.port, 1883);
    EXPECT_EQ(a->topic, "world");
    EXPECT_EQ(a->source, MessageSource::message);
    EXPECT_EQ(a->message, "hello");
    EXPECT_EQ(a->common.qos, 0);
    EXPECT_TRUE(a->common.clean_session);
    EXPECT_EQ(a->common.keepalive, 60);
}

TEST(PubArgs, EveryConnectionFlag) {
    auto a = parse_pub_args(Args{"-p",
                                 "1884",
                                 "-t",
                                 "t",
                                 "-n",
                                 "-q",
                                 "2",
                                 "-r",
                                 "-i",
                                 "me",
                                 "-k",
                                 "30",
                                 "-u",
                                 "user",
                                 "-P",
                                 "pw",
                                 "-d",
                                 "-c",
                                 "--will-topic",
                                 "w",
                                 "--will-payload",
                                 "bye",
                                 "--will-qos",
                                 "1",
                                 "--will-retain",
                                 "-V",
                                 "mqttv31",
                                 "-M",
                                 "5",
                                 "--quiet"});
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->common.port, 1884);
    EXPECT_EQ(a->source, MessageSource::null_message);
    EXPECT_EQ(a->common.qos, 2);
    EXPECT_TRUE(a->retain);
    EXPECT_EQ(a->common.id, "me");
    EXPECT_EQ(a->common.keepalive, 30);
    EXPECT_EQ(a->common.username, "user");
    EXPECT_EQ(a->common.password, "pw");
    EXPECT_TRUE(a->common.debug);
    EXPECT_FALSE(a->common.clean_session);
    EXPECT_EQ(a->common.will_topic, "w");
    EXPECT_EQ(a->common.will_payload, "bye");
    EXPECT_EQ(a->common.will_qos, 1);
    EXPECT_TRUE(a->common.will_retain);
    EXPECT_EQ(a->common.version, protocol::ProtocolVersion::v31);
    EXPECT_EQ(a->common.max_inflight, 5);
    EXPECT_TRUE(a->common.quiet);
}

TEST(PubArgs, MessageSources) {
    EXPECT_EQ(parse_pub_args(Args{"-t", "t", "-l"})->source, MessageSource::stdin_lines);
    EXPECT_EQ(parse_pub_args(Args{"-t", "t", "-s"})->source, MessageSource::stdin_whole);
    auto f = parse_pub_args(Args{"-t", "t", "-f", "/tmp/x"});
    EXPECT_EQ(f->source, MessageSource::file);
    EXPECT_EQ(f->file, "/tmp/x");
}

TEST(PubArgs, VersionSpellings) {
    EXPECT_EQ(parse_pub_args(Args{"-t", "t", "-n", "-V", "31"})->common.version,
              protocol::ProtocolVersion::v31);
    EXPECT_EQ(parse_pub_args(Args{"-t", "t", "-n", "-V", "311"})->common.version,
              protocol::ProtocolVersion::v311);
    EXPECT_EQ(parse_pub_args(Args{"-t", "t", "-n", "-V", "mqttv311"})->common.version,
              protocol::ProtocolVersion::v311);
    EXPECT_EQ(parse_pub_args(Args{"-t", "t", "-n", "-V", "mqttv5"})->common.version,
              protocol::ProtocolVersion::v5);
    EXPECT_EQ(parse_pub_args(Args{"-t", "t", "-n", "-V", "5"})->common.version,
              protocol::ProtocolVersion::v5);
}

// Mosquitto 2.0.11's words, byte for byte (the blank lines too).
TEST(PubArgs, MosquittoErrorWording) {
    EXPECT_EQ(pub_error(Args{"-t", "a", "-m", "x", "-q", "3"}), "Error: Invalid QoS given: 3\n");
    EXPECT_EQ(pub_error(Args{"-t", "a#", "-m", "x"}),
              "Error: Invalid publish topic 'a#', does it contain '+' or '#'?\n");
    EXPECT_EQ(pub_error(Args{"-t", "a", "-m", "x", "-V", "5x"}),
              "Error: Invalid protocol version argument given.\n\n");
    EXPECT_EQ(pub_error(Args{"-t", "a", "-m", "x", "-k", "1"}),
              "Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.\n\n");
    EXPECT_EQ(pub_error(Args{"-t", "a", "-m", "x", "-k", "70000"}),
              "Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.\n\n");
    EXPECT_EQ(pub_error(Args{"-t", "a", "-m", "x", "-z"}), "Error: Unknown option '-z'.\n");
    EXPECT_EQ(pub_error(Args{"-t", "a", "-m", "x", "-p"}),
              "Error: -p argument given but no port specified.\n\n");
    EXPECT_EQ(pub_error(Args{"-t", "a", "-m", "x", "-l"}),
              "Error: Only one type of message can be sent at once.\n\n");
    EXPECT_EQ(pub_error(Args{"-t", "a", "-m", "x", "-p", "70000"}), "Error: Invalid port given: 70000\n");
    EXPECT_EQ(pub_error(Args{"-t", "a", "-m", "x", "-c"}),
              "Error: You must provide a client id if you are using the -c option.\n");
    EXPECT_EQ(pub_error(Args{"-t", "a", "-m", "x", "-I", "pre", "-i", "x"}),
              "Error: -i and -I argument cannot be used together.\n\n");
    EXPECT_EQ(pub_error(Args{"-t", "a", "-m", "x", "--will-topic", "a/#"}),
              "Error: Invalid will topic 'a/#', does it contain '+' or '#'?\n");
    EXPECT_EQ(pub_error(Args{"-t", "a", "-m", "x", "--will-payload", "x"}),
              "Error: Will payload given, but no will topic given.\n");
    EXPECT_EQ(pub_error(Args{"-t", "a", "-m", "x", "--will-retain"}),
              "Error: Will retain given, but no will topic given.\n");
    EXPECT_EQ(pub_error(Args{"-t", "a", "-m", "x", "--will-qos", "5"}), "Error: Invalid will QoS 5.\n\n");
    EXPECT_EQ(pub_error(Args{"-t", "a", "-m", "x", "-v"}), "Error: Unknown option '-v'.\n") << "-v is sub's";
    EXPECT_EQ(pub_error(Args{"-t", "a", "-m", "x", "extra"}), "Error: Unknown option 'extra'.\n");
}

TEST(PubArgs, MissingTopicOrMessageShowsUsage) {
    for (const auto& args : {Args{"-m", "x"}, Args{"-t", "a"}, Args{}}) {
        auto result = parse_pub_args(args);
        ASSERT_FALSE(result);
        EXPECT_EQ(result.error().kind, ArgsStop::Kind::error_with_usage);
        EXPECT_EQ(result.error().message, "Error: Both topic and message must be supplied.\n");
    }
}

TEST(PubArgs, FirstProblemWins) {
    EXPECT_EQ(pub_error(Args{"-q", "7", "-k", "1", "-t", "a", "-m", "x"}), "Error: Invalid QoS given: 7\n");
}

TEST(PubArgs, NumbersReadLikeAtoi) {
    EXPECT_EQ(parse_pub_args(Args{"-t", "a", "-m", "x", "-q", "abc"})->common.qos, 0);
    EXPECT_EQ(parse_pub_args(Args{"-t", "a", "-m", "x", "-q", "1x"})->common.qos, 1);
    EXPECT_EQ(lenient_atoi("  -12z"), -12);
    EXPECT_EQ(lenient_atoi(""), 0);
    EXPECT_EQ(lenient_atoi("99999999999999"), 2147483647);
}

TEST(PubArgs, HelpAndVersion) {
    EXPECT_EQ(parse_pub_args(Args{"-t", "a", "--help"}).error().kind, ArgsStop::Kind::help);
    EXPECT_EQ(parse_pub_args(Args{"--version"}).error().kind, ArgsStop::Kind::version);
    // -h is the host, never help.
    EXPECT_EQ(parse_pub_args(Args{"-h", "example", "-t", "a", "-n"})->common.host, "example");
}

TEST(SubArgs, TheLabCommand) {
    auto a = parse_sub_args(Args{"-h", "broker", "-t", "#", "-v"});
    ASSERT_TRUE(a);
    EXPECT_EQ(a->common.host, "broker");
    EXPECT_EQ(a->topics, std::vector<std::string>{"#"});
    EXPECT_TRUE(a->verbose);
}

TEST(SubArgs, EverySubFlag) {
    auto a = parse_sub_args(Args{"-t", "a/+", "-t", "b/#", "-T", "b/x", "-U", "old", "-C", "3", "-W", "9",
                                 "-R", "-N", "-E", "--retained-only", "-q", "1"});
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->topics, (std::vector<std::string>{"a/+", "b/#"}));
    EXPECT_EQ(a->filter_outs, std::vector<std::string>{"b/x"});
    EXPECT_EQ(a->unsub_topics, std::vector<std::string>{"old"});
    EXPECT_EQ(a->msg_count, 3);
    EXPECT_EQ(a->timeout_seconds, 9);
    EXPECT_TRUE(a->no_retain);
    EXPECT_FALSE(a->eol);
    EXPECT_TRUE(a->exit_after_sub);
    EXPECT_TRUE(a->retained_only);
    EXPECT_EQ(a->common.qos, 1);
}

TEST(SubArgs, MosquittoErrorWording) {
    EXPECT_EQ(sub_error(Args{"-t", "a/#/b"}),
              "Error: Invalid subscription topic 'a/#/b', are all '+' and '#' wildcards correct?\n");
    EXPECT_EQ(sub_error(Args{}), "Error: You must specify a topic to subscribe to.\n");
    EXPECT_EQ(sub_error(Args{"-t", "a", "-m", "x"}), "Error: Unknown option '-m'.\n");
    EXPECT_EQ(sub_error(Args{"-t", "a", "-C", "0"}), "Error: Invalid message count \"0\".\n\n");
    EXPECT_EQ(sub_error(Args{"-t", "a", "-W", "x"}), "Error: Invalid timeout \"0\".\n\n");
    EXPECT_EQ(sub_error(Args{"-t", "a", "-T", "a/#/x"}),
              "Error: Invalid filter topic 'a/#/x', are all '+' and '#' wildcards correct?\n");
    EXPECT_EQ(sub_error(Args{"-t", "a", "-q", "3"}), "Error: Invalid QoS given: 3\n");
    EXPECT_EQ(sub_error(Args{"-t", "a", "-r"}), "Error: Unknown option '-r'.\n") << "-r is pub's";
}

TEST(ClientId, LooksLikeMosquitto1) {
    EXPECT_EQ(default_client_id("culexpub", 1705, "debian"), "culexpub|1705-debian");
    EXPECT_EQ(default_client_id("culexsub", 1234567, "a-very-long-host-name.example.org").size(), 23u)
        << "MQTT 3.1 allows 23 characters";
}

}  // namespace
}  // namespace culex::client
