// Topics and filters as NATS subjects: escaping, reversibility, and that a filter's subjects match in NATS
// exactly the topics the filter matches in MQTT.
#include <gtest/gtest.h>

#include "cluster/subject_map.hpp"
#include "protocol/topic.hpp"

namespace culex::cluster {
namespace {

constexpr std::string_view kPrefix = "culex.msg.";

// NATS's matching of a subject against a subscription subject (`*` one token, `>` one or more).
bool nats_matches(std::string_view pattern, std::string_view subject) {
    auto split = [](std::string_view s) {
        std::vector<std::string_view> tokens;
        std::size_t start = 0;
        while (true) {
            auto dot = s.find('.', start);
            tokens.push_back(
                s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
            if (dot == std::string_view::npos) return tokens;
            start = dot + 1;
        }
    };
    auto p = split(pattern), t = split(subject);
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (p[i] == ">") return t.size() > i;
        if (i >= t.size()) return false;
        if (p[i] != "*" && p[i] != t[i]) return false;
    }
    return p.size() == t.size();
}

bool any_matches(const std::vector<std::string>& patterns, std::string_view subject) {
    for (const auto& p : patterns)
        if (nats_matches(p, subject)) return true;
    return false;
}

TEST(SubjectMap, LevelsBecomeTokens) {
    EXPECT_EQ(subject_from_topic(kPrefix, "sensors/room1/temp"), "culex.msg.sensors.room1.temp");
    EXPECT_EQ(subject_from_topic(kPrefix, "a"), "culex.msg.a");
}

TEST(SubjectMap, EscapesWhatSubjectsCannotHold) {
    EXPECT_EQ(subject_from_topic(kPrefix, "v1.2/x y"), "culex.msg.v1%2E2.x%20y");
    EXPECT_EQ(subject_from_topic(kPrefix, "$SYS/a*b/>/100%"), "culex.msg.%24SYS.a%2Ab.%3E.100%25");
    EXPECT_EQ(subject_from_topic(kPrefix, std::string_view("tab\there\x7f", 9)), "culex.msg.tab%09here%7F");
    EXPECT_EQ(subject_from_topic(kPrefix, "/"), "culex.msg.%-.%-");
    EXPECT_EQ(subject_from_topic(kPrefix, "a//b/"), "culex.msg.a.%-.b.%-");
    EXPECT_EQ(subject_from_topic(kPrefix, "caf\xc3\xa9"), "culex.msg.caf\xc3\xa9");  // UTF-8 as it is
}

TEST(SubjectMap, RoundTrip) {
    for (std::string_view topic :
         {"a", "a/b/c", "/", "//", "a//b", "/a/", "$SYS/broker/x", "v1.2", "x y", "*", ">", "%", "%2E", "%-",
          "a.b.c/d*e>f$g%h", "caf\xc3\xa9/\xe2\x82\xac", "-", "a/-/%-"}) {
        auto subject = subject_from_topic(kPrefix, topic);
        auto back = topic_from_subject(kPrefix, subject);
        ASSERT_TRUE(back) << subject;
        EXPECT_EQ(*back, topic) << subject;
    }
}

TEST(SubjectMap, RefusesSubjectsNoTopicMakes) {
    for (std::string_view subject :
         {"culex.msg.", "culex.msg", "other.a", "culex.msg.a..b", "culex.msg.*", "culex.msg.a.>",
          "culex.msg.%", "culex.msg.%4", "culex.msg.%zz", "culex.msg.%41", "culex.msg.a$b", "culex.msg.%2e",
          "culex.msg.a/b", "culex.msg.+", "culex.msg.a#", "culex.msg.%2F"})
        EXPECT_FALSE(topic_from_subject(kPrefix, subject)) << subject;
}

TEST(SubjectMap, FilterWildcards) {
    EXPECT_EQ(subjects_from_filter(kPrefix, "a/+/c"), std::vector<std::string>{"culex.msg.a.*.c"});
    EXPECT_EQ(subjects_from_filter(kPrefix, "#"), std::vector<std::string>{"culex.msg.>"});
    EXPECT_EQ(subjects_from_filter(kPrefix, "+"), std::vector<std::string>{"culex.msg.*"});
    EXPECT_EQ(subjects_from_filter(kPrefix, "a/#"),
              (std::vector<std::string>{"culex.msg.a.>", "culex.msg.a"}));
    EXPECT_EQ(subjects_from_filter(kPrefix, "+/#"),
              (std::vector<std::string>{"culex.msg.*.>", "culex.msg.*"}));
    EXPECT_EQ(subjects_from_filter(kPrefix, "a.b/c d"), std::vector<std::string>{"culex.msg.a%2Eb.c%20d"});
    EXPECT_EQ(subjects_from_filter(kPrefix, "/#"),
              (std::vector<std::string>{"culex.msg.%-.>", "culex.msg.%-"}));
}

// Every filter against every topic: NATS matches the mapped subject iff MQTT matches the topic (topics
// starting with '$' aside for leading wildcards, which the broker's own tree filters).
TEST(SubjectMap, FiltersMatchAsMqttDoes) {
    std::vector<std::string_view> topics = {"a", "a/b",  "a/b/c",   "/",     "/a",    "a/",
                                            "b", "a//c", "x.y",     "x.y/z", "a b/c", "%-",
                                            "*", ">",    "a/b/c/d", "$x/a",  "a/$x"};
    std::vector<std::string_view> filters = {"a",     "a/b", "a/+", "a/#",   "#",    "+",
                                             "+/+",   "/#",  "+/#", "a/+/c", "a//c", "x.y/#",
                                             "a b/+", "%-",  "*",   ">",     "a/$x", "+/b/#"};
    for (auto filter : filters) {
        auto subjects = subjects_from_filter(kPrefix, filter);
        for (auto topic : topics) {
            bool mqtt = protocol::topic_matches(filter, topic);
            bool leading_wildcard = filter.starts_with('+') || filter.starts_with('#');
            if (topic.starts_with('$') && leading_wildcard) continue;
            EXPECT_EQ(any_matches(subjects, subject_from_topic(kPrefix, topic)), mqtt)
                << "filter '" << filter << "' topic '" << topic << "'";
        }
    }
}

}  // namespace
}  // namespace culex::cluster
