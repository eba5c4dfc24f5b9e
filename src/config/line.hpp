// One line of mosquitto.conf as the option handlers see it, and the helpers that read its values: each
// returns a message naming the option, what it needs and the fix.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "config/suggest.hpp"
#include "config/values.hpp"

namespace culex::config::parsing {

using Result = std::expected<void, std::string>;

constexpr std::int64_t kIntMax = std::numeric_limits<std::int32_t>::max();

struct Line {
    std::string_view option;
    std::string_view usage;               // how the option is written, for messages
    std::string_view rest;                // after the option, trimmed: string values keep spaces and '#'
    std::vector<std::string_view> words;  // `rest` split on blanks, up to an inline "# comment"
};

bool is_blank(char c);
std::string_view trim(std::string_view s);
std::vector<std::string_view> split_words(std::string_view rest);

Result count_words(const Line& l, std::size_t min, std::size_t max);
std::expected<std::string, std::string> text_value(const Line& l);
std::expected<std::string_view, std::string> word_value(const Line& l);

template <typename T>
Result set_integer(const Line& l, T& target, std::int64_t min, std::int64_t max) {
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    auto value = parse_integer(l.option, *word, min, max);
    if (!value) return std::unexpected(value.error());
    target = static_cast<T>(*value);
    return {};
}

Result set_bool(const Line& l, bool& target);
Result set_text(const Line& l, std::string& target);

// One of a few words, with "did you mean" for near misses.
template <typename T, std::size_t N>
std::expected<T, std::string> choice(const Line& l,
                                     const std::array<std::pair<std::string_view, T>, N>& choices) {
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    std::array<std::string_view, N> names{};
    for (std::size_t i = 0; i < N; ++i) {
        if (choices[i].first == *word) return choices[i].second;
        names[i] = choices[i].first;
    }
    std::string message = fmt::format("'{}' needs {}, got '{}'", l.option, fmt::join(names, " or "), *word);
    if (auto near = closest_match(*word, names)) message += fmt::format(": did you mean '{}'?", *near);
    return std::unexpected(message);
}

template <typename T, std::size_t N>
Result set_choice(const Line& l, T& target, const std::array<std::pair<std::string_view, T>, N>& choices) {
    auto value = choice(l, choices);
    if (!value) return std::unexpected(value.error());
    target = *value;
    return {};
}

}  // namespace culex::config::parsing
