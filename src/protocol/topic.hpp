// Topic names, topic filters and matching, per MQTT 3.1.1 section 4.7 and MQTT 5 section 4.7-4.8.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace culex::protocol {

// UTF-8 well-formed, no U+0000, no surrogates (spec 1.5.3).
bool is_valid_utf8(std::string_view text);

// Whether `text` contains '+' or '#' anywhere.
bool contains_wildcard(std::string_view text);

// A topic name for PUBLISH: not empty, valid UTF-8, no '+' or '#'.
bool is_valid_topic_name(std::string_view topic);

// A topic filter for SUBSCRIBE: not empty, valid UTF-8, '+' alone in its level, '#' alone and last.
// Shared subscriptions ($share/GROUP/filter) are valid filters too.
bool is_valid_topic_filter(std::string_view filter);

// Levels of a topic name or filter: "a/b" has 2, "" and "a" have 1, "/" has 2.
std::size_t topic_levels(std::string_view topic);

// Whether `topic` matches `filter`. Topics starting with '$' are not matched by a filter starting with a
// wildcard. Both arguments must be valid.
bool topic_matches(std::string_view filter, std::string_view topic);

// "$share/GROUP/FILTER" split into its group and filter; nullopt when `filter` is not a shared subscription.
struct SharedFilter {
    std::string_view group;
    std::string_view filter;
};
std::optional<SharedFilter> parse_shared_filter(std::string_view filter);

}  // namespace culex::protocol
