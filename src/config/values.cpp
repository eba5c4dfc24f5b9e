#include "config/values.hpp"

#include <charconv>
#include <limits>
#include <optional>

#include <fmt/format.h>

namespace culex::config {

namespace {

// from_chars alone accepts "12abc" as 12; a value must be the number and nothing else.
std::optional<std::int64_t> whole_number(std::string_view word) {
    if (word.empty() || word.front() == '+') return std::nullopt;
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (ec != std::errc{} || end != word.data() + word.size()) return std::nullopt;
    return value;
}

}  // namespace

std::expected<bool, std::string> parse_bool(std::string_view option, std::string_view word) {
    if (word == "true") return true;
    if (word == "false") return false;
    return std::unexpected(fmt::format("'{}' needs true or false, got '{}'", option, word));
}

std::expected<std::int64_t, std::string> parse_integer(std::string_view option, std::string_view word,
                                                       std::int64_t min, std::int64_t max) {
    const auto value = whole_number(word);
    if (!value || *value < min || *value > max) {
        return std::unexpected(
            fmt::format("'{}' needs a number between {} and {}, got '{}'", option, min, max, word));
    }
    return *value;
}

std::expected<std::chrono::seconds, std::string> parse_duration(std::string_view option,
                                                                std::string_view word) {
    const auto fail = [&] {
        return std::unexpected(fmt::format(
            "'{}' needs a whole number followed by h, d, w, m or y (hours, days, weeks, months of 30 days, "
            "years of 365 days), such as 14d; got '{}'",
            option, word));
    };
    if (word.size() < 2) return fail();
    std::int64_t unit = 0;
    switch (word.back()) {
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        case 'w':
            unit = 7 * 86400;
            break;
        case 'm':
            unit = 30 * 86400;
            break;
        case 'y':
            unit = 365 * 86400;
            break;
        default:
            return fail();
    }
    const auto count = whole_number(word.substr(0, word.size() - 1));
    if (!count || *count <= 0 || *count > std::numeric_limits<std::int64_t>::max() / unit) return fail();
    return std::chrono::seconds{*count * unit};
}

}  // namespace culex::config
