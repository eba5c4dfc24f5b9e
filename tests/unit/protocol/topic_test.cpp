// Topic names, topic filters, matching and shared subscriptions: every example of MQTT 3.1.1 section 4.7
// and MQTT 5 sections 4.7 and 4.8, plus the edges around them; and the UTF-8 rules of spec 1.5.3.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/topic.hpp"
#include "protocol/types.hpp"

namespace culex::protocol {
namespace {

struct MatchCase {
    const char* filter;
    const char* topic;
    bool matches;
};

TEST(TopicMatches, SpecExamplesAndEdges) {
    const MatchCase cases[] = {
        // 4.7.1.2 multi-level wildcard
        {"sport/tennis/player1/#", "sport/tennis/player1", true},
        {"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
        {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
        {"sport/#", "sport", true},  // '#' includes the parent level
        {"sport/#", "sport/", true},
        {"sport/#", "sports", false},
        {"sport/#", "sport/tennis/player1", true},
        {"#", "sport", true},
        {"#", "sport/tennis", true},
        {"#", "/", true},
        {"#", "/finance", true},
        // 4.7.1.3 single-level wildcard
        {"sport/tennis/+", "sport/tennis/player1", true},
        {"sport/tennis/+", "sport/tennis/player2", true},
        {"sport/tennis/+", "sport/tennis/player1/ranking", false},
        {"sport/+", "sport", false},
        {"sport/+", "sport/", true},  // an empty level is a level
        {"sport/+/player1", "sport/tennis/player1", true},
        {"sport/+/player1", "sport/tennis/player2", false},
        {"+/+", "/finance", true},
        {"/+", "/finance", true},
        {"+", "/finance", false},
        {"+", "finance", true},
        {"+", "", true},  // not a valid topic, but matching stays well defined
        {"+/tennis/#", "sport/tennis", true},
        {"+/tennis/#", "sport/tennis/player1", true},
        {"+/tennis/#", "sport/golf", false},
        {"+/+/+", "a/b", false},
        {"+/+", "a/b/c", false},
        {"a/+/c", "a//c", true},
        {"a//c", "a//c", true},
        {"a//c", "a/c", false},
        // 4.7.2 topics beginning with '$'
        {"#", "$SYS/monitor/Clients", false},
        {"#", "$SYS", false},
        {"+/monitor/Clients", "$SYS/monitor/Clients", false},
        {"+", "$SYS", false},
        {"+/#", "$SYS/x", false},
        {"$SYS/#", "$SYS/monitor/Clients", true},
        {"$SYS/#", "$SYS", true},
        {"$SYS/monitor/+", "$SYS/monitor/Clients", true},
        {"$SYS/+/Clients", "$SYS/monitor/Clients", true},
        {"$+/x", "$SYS/x", false},  // '+' must be its whole level, so "$+" is just a level name
        {"a/$SYS/#", "a/$SYS/x", true},
        {"+/$SYS", "a/$SYS", true},  // only a leading '$' is special
        // 4.7.3 topic semantics: case and spaces matter, no normalisation
        {"ACCOUNTS", "Accounts", false},
        {"Accounts payable", "Accounts payable", true},
        {"/finance", "finance", false},
        {"finance", "/finance", false},
        {"/", "/", true},
        {"/", "//", false},
        {"sport/tennis", "sport/tennis/", false},
        {"sport/tennis/", "sport/tennis", false},
        {"sport", "sport/tennis", false},
        {"sport/tennis/player1", "sport/tennis/player1", true},
        {"caf\xC3\xA9/+", "caf\xC3\xA9/x", true},
        {"caf\xC3\xA9", "cafe", false},
    };
    for (const auto& c : cases)
        EXPECT_EQ(topic_matches(c.filter, c.topic), c.matches)
            << "'" << c.filter << "' vs '" << c.topic << "'";
}

// A second, deliberately naive matcher (split into levels, then compare) to check topic_matches against on
// every short filter and topic over a small alphabet.
std::vector<std::string> levels_of(const std::string& s) {
    std::vector<std::string> levels(1);
    for (char c : s) {
        if (c == '/') {
            levels.emplace_back();
        } else {
            levels.back() += c;
        }
    }
    return levels;
}

bool reference_matches(const std::string& filter, const std::string& topic) {
    if (!topic.empty() && topic[0] == '$' && (filter[0] == '+' || filter[0] == '#')) return false;
    auto f = levels_of(filter), t = levels_of(topic);
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (f[i] == "#") return true;
        if (i == t.size()) return false;  // the topic ran out of levels before the filter
        if (f[i] != "+" && f[i] != t[i]) return false;
    }
    return f.size() == t.size();
}

void all_strings(const std::string& alphabet, std::size_t max_length, std::vector<std::string>& out) {
    out.push_back("");
    for (std::size_t begin = 0, length = 1; length <= max_length; ++length) {
        std::size_t end = out.size();
        for (std::size_t i = begin; i < end; ++i)
            for (char c : alphabet)
                out.push_back(out[i] + c);
        begin = end;
    }
}

TEST(TopicMatches, AgreesWithANaiveMatcherOnEveryShortFilterAndTopic) {
    std::vector<std::string> filters, topics;
    all_strings("a+#/$", 4, filters);
    all_strings("ab/$", 4, topics);
    std::erase_if(filters, [](const auto& f) { return !is_valid_topic_filter(f); });
    std::erase_if(topics, [](const auto& t) { return !is_valid_topic_name(t); });
    for (const auto& filter : filters)
        for (const auto& topic : topics)
            ASSERT_EQ(topic_matches(filter, topic), reference_matches(filter, topic))
                << "'" << filter << "' vs '" << topic << "'";
    EXPECT_GT(filters.size() * topics.size(), 50'000u);
}

TEST(TopicName, Validity) {
    const std::pair<std::string, bool> cases[] = {
        {"sport/tennis/player1", true},
        {"/", true},
        {"/finance", true},
        {"a//b", true},
        {"Accounts payable", true},
        {"$SYS/broker/uptime", true},
        {"caf\xC3\xA9/\xE6\x97\xA5\xE6\x9C\xAC/\xF0\x9F\x98\x80", true},
        {"\xEF\xBB\xBF"
         "bom",
         true},  // U+FEFF is allowed and must not be stripped
        {"", false},
        {"a/+", false},
        {"+", false},
        {"#", false},
        {"a/#", false},
        {"a+b", false},  // wildcards are forbidden anywhere in a name, even inside a level
        {"a#", false},
        {std::string("a\0b", 3), false},
        {"\xC3\x28", false},
        {"\xED\xA0\x80", false},
        {std::string(65'535, 'a'), true},
        {std::string(65'536, 'a'), false},
    };
    for (const auto& [name, valid] : cases)
        EXPECT_EQ(is_valid_topic_name(name), valid) << "'" << name.substr(0, 40) << "'";
}

TEST(TopicName, ContainsWildcardFindsEitherAtEveryPositionAndLength) {
    // Eight bytes are tested at a time: a wildcard in every position of the word and of the tail, and bytes
    // next to '+' (0x2B) and '#' (0x23) that must not count.
    for (std::size_t length = 0; length <= 24; ++length) {
        std::string plain(length, 'a');
        for (std::size_t i = 0; i < length; ++i)
            plain[i] = "*,\"$/\x80\xff"[i % 7];
        EXPECT_FALSE(contains_wildcard(plain)) << length;
        for (std::size_t at = 0; at < length; ++at) {
            for (char wildcard : {'+', '#'}) {
                std::string topic = plain;
                topic[at] = wildcard;
                EXPECT_TRUE(contains_wildcard(topic))
                    << "length " << length << ", '" << wildcard << "' at " << at;
            }
        }
    }
}

TEST(TopicFilter, Validity) {
    const std::pair<std::string, bool> cases[] = {
        // 4.7.1.2 and 4.7.1.3
        {"#", true},
        {"sport/tennis/#", true},
        {"sport/tennis#", false},
        {"sport/tennis/#/ranking", false},
        {"+", true},
        {"+/tennis/#", true},
        {"sport+", false},
        {"sport/+/player1", true},
        {"+/+", true},
        {"/+", true},
        {"/#", true},
        {"+/#", true},
        {"#/", false},
        {"#/a", false},
        {"a/#/", false},
        {"##", false},
        {"++", false},
        {"a/+b", false},
        {"a/b+", false},
        {"+a", false},
        {"a/#b", false},
        {"/", true},
        {"//", true},
        {"a//b", true},
        {"$SYS/#", true},
        {"$SYS/+/x", true},
        {"Accounts payable", true},
        {"", false},
        {std::string("a\0", 2), false},
        {"\xFF", false},
        {std::string(65'535, 'a'), true},
        {std::string(65'536, 'a'), false},
        // 4.8.2 shared subscriptions
        {"$share/consumer1/sport/tennis/+", true},
        {"$share/consumer2/sport/tennis/+", true},
        {"$share/consumer1//finance", true},
        {"$share/consumer1/+/finance", true},
        {"$share/consumer1/#", true},
        {"$share/consumer1/$SYS/#", true},
        {"$share/g", false},    // no filter at all
        {"$share/g/", false},   // empty filter
        {"$share//a", false},   // empty share name
        {"$share/+/a", false},  // wildcards are not allowed in the share name
        {"$share/g#/a", false},
        {"$share/g+x/a", false},
        {"$share/g/a#", false},  // the filter after the share name follows the usual rules
        {"$share/g/a/#/b", false},
        {"$share", true},  // not a shared subscription, just a level that starts with '$'
        {"$sharex/g/a", true},
        {"$SHARE/g/a", true},  // the prefix is case-sensitive: this is an ordinary filter
    };
    for (const auto& [filter, valid] : cases)
        EXPECT_EQ(is_valid_topic_filter(filter), valid) << "'" << filter.substr(0, 40) << "'";
}

TEST(SharedFilter, Parsing) {
    auto shared = parse_shared_filter("$share/consumer1/sport/tennis/+");
    ASSERT_TRUE(shared);
    EXPECT_EQ(shared->group, "consumer1");
    EXPECT_EQ(shared->filter, "sport/tennis/+");

    shared = parse_shared_filter("$share/consumer1//finance");
    ASSERT_TRUE(shared);
    EXPECT_EQ(shared->group, "consumer1");
    EXPECT_EQ(shared->filter, "/finance");

    shared = parse_shared_filter("$share/g/#");
    ASSERT_TRUE(shared);
    EXPECT_EQ(shared->filter, "#");
    // The inner filter keeps the '$' rule: a shared "#" does not receive $SYS topics.
    EXPECT_FALSE(topic_matches(shared->filter, "$SYS/x"));
    EXPECT_TRUE(topic_matches(shared->filter, "sport/tennis"));

    EXPECT_FALSE(parse_shared_filter("sport/tennis"));
    EXPECT_FALSE(parse_shared_filter("$share/g"));
    EXPECT_FALSE(parse_shared_filter("$SHARE/g/a"));
    EXPECT_FALSE(parse_shared_filter("$sharex/g/a"));
    EXPECT_FALSE(parse_shared_filter("$share"));
}

TEST(Utf8, WellFormedness) {
    const std::pair<std::string, bool> cases[] = {
        {"", true},
        {"plain ascii", true},
        {"\x7F", true},
        {"\xC2\x80", true},             // U+0080, smallest 2-byte
        {"\xDF\xBF", true},             // U+07FF
        {"\xE0\xA0\x80", true},         // U+0800, smallest 3-byte
        {"\xED\x9F\xBF", true},         // U+D7FF, just below the surrogates
        {"\xEE\x80\x80", true},         // U+E000, just above them
        {"\xEF\xBF\xBF", true},         // U+FFFF, a non-character, still allowed
        {"\xF0\x90\x80\x80", true},     // U+10000
        {"\xF4\x8F\xBF\xBF", true},     // U+10FFFF, the last code point
        {std::string("\0", 1), false},  // U+0000 [MQTT-1.5.3-2]
        {std::string("ab\0", 3), false},
        // Longer than the eight-byte ASCII fast path: a NUL or a bad byte inside a word, after one, and
        // well-formed multi-byte characters between ASCII words.
        {std::string("abc\0efghijkl", 12), false},
        {std::string("abcdefgh\0", 9), false},
        {"abcdefgh\xFF", false},
        {"sensors/room-12/\xC3\xA9t\xC3\xA9/temperature", true},
        {"abcdefghijklmnop\xE0\xA0", false},  // truncated 3-byte character at the end
        {"\x80", false},                      // continuation without a lead
        {"\xBF", false},
        {"\xC0\x80", false},          // overlong U+0000
        {"\xC1\xBF", false},          // overlong
        {"\xE0\x9F\xBF", false},      // overlong 3-byte
        {"\xF0\x8F\xBF\xBF", false},  // overlong 4-byte
        {"\xED\xA0\x80", false},      // U+D800 [MQTT-1.5.3-1]
        {"\xED\xBF\xBF", false},      // U+DFFF
        {"\xF4\x90\x80\x80", false},  // U+110000
        {"\xF5\x80\x80\x80", false},
        {"\xF8\x88\x80\x80\x80", false},  // 5-byte form
        {"\xFE", false},
        {"\xFF", false},
        {"\xC3", false},  // truncated at the end
        {"\xE6\x97", false},
        {"\xF0\x9F\x98", false},
        {"\xC3\x28", false},  // bad continuation
        {"\xE6\x28\xA5", false},
        {"a\xE6\x97\xA5z", true},
    };
    for (const auto& [text, valid] : cases)
        EXPECT_EQ(is_valid_utf8(text), valid) << ::testing::PrintToString(text);
}

TEST(Names, PacketTypesAndReasonCodes) {
    EXPECT_EQ(to_string(PacketType::connect), "CONNECT");
    EXPECT_EQ(to_string(PacketType::pubrel), "PUBREL");
    EXPECT_EQ(to_string(PacketType::auth), "AUTH");
    EXPECT_EQ(log_protocol_number(ProtocolVersion::v31), 1);
    EXPECT_EQ(log_protocol_number(ProtocolVersion::v311), 2);
    EXPECT_EQ(log_protocol_number(ProtocolVersion::v5), 5);
}

}  // namespace
}  // namespace culex::protocol
