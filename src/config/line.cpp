#include "config/line.hpp"

namespace culex::config::parsing {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back()))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split_words(std::string_view rest) {
    std::vector<std::string_view> words;
    while (true) {
        while (!rest.empty() && is_blank(rest.front()))
            rest.remove_prefix(1);
        if (rest.empty() || rest.front() == '#') break;
        std::size_t end = 0;
        while (end < rest.size() && !is_blank(rest[end]))
            ++end;
        words.push_back(rest.substr(0, end));
        rest.remove_prefix(end);
    }
    return words;
}

// Value helpers shared by the handlers. Each returns a message naming the option, the need and the fix.
Result count_words(const Line& l, std::size_t min, std::size_t max) {
    if (l.words.size() < min)
        return std::unexpected(fmt::format("'{}' needs a value; write it as '{}'", l.option, l.usage));
    if (l.words.size() > max) {
        return std::unexpected(fmt::format("'{}' has too many values ('{}'); write it as '{}'", l.option,
                                           fmt::join(l.words, " "), l.usage));
    }
    return {};
}

// Text values take the rest of the line, spaces and '#' included (paths and strftime formats have both), as
// in Mosquitto; only a value that would start with '#' is taken for a comment.
std::expected<std::string, std::string> text_value(const Line& l) {
    if (l.rest.empty() || l.rest.front() == '#')
        return std::unexpected(fmt::format("'{}' needs a value; write it as '{}'", l.option, l.usage));
    return std::string(l.rest);
}

std::expected<std::string_view, std::string> word_value(const Line& l) {
    if (auto ok = count_words(l, 1, 1); !ok) return std::unexpected(ok.error());
    return l.words[0];
}

Result set_bool(const Line& l, bool& target) {
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    auto value = parse_bool(l.option, *word);
    if (!value) return std::unexpected(value.error());
    target = *value;
    return {};
}

Result set_text(const Line& l, std::string& target) {
    auto value = text_value(l);
    if (!value) return std::unexpected(value.error());
    target = std::move(*value);
    return {};
}

}  // namespace culex::config::parsing
