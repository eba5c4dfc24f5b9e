#include "protocol/topic.hpp"

#include <cstring>

#include <cstdint>

#include "protocol/types.hpp"

namespace culex::protocol {

bool is_valid_utf8(std::string_view text) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
    const auto* end = p + text.size();
    while (p < end) {
        // Eight ASCII bytes at a time while none is zero (topics are nearly always ASCII).
        constexpr std::uint64_t kHighBits = 0x8080808080808080ULL, kOnes = 0x0101010101010101ULL;
        while (end - p >= 8) {
            std::uint64_t word;
            std::memcpy(&word, p, sizeof word);
            if ((word & kHighBits) != 0 || ((word - kOnes) & ~word & kHighBits) != 0) break;
            p += 8;
        }
        if (p == end) break;
        std::uint8_t lead = *p;
        if (lead < 0x80) {
            if (lead == 0) return false;  // U+0000 is forbidden in MQTT strings
            ++p;
            continue;
        }
        int extra;
        std::uint32_t code;
        if ((lead & 0xE0) == 0xC0) {
            extra = 1, code = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            extra = 2, code = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            extra = 3, code = lead & 0x07;
        } else {
            return false;
        }
        if (end - p <= extra) return false;
        for (int i = 1; i <= extra; ++i) {
            if ((p[i] & 0xC0) != 0x80) return false;
            code = (code << 6) | (p[i] & 0x3F);
        }
        // Overlong encodings, surrogates and values beyond U+10FFFF are ill-formed.
        static constexpr std::uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
        if (code < kMinForLength[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return false;
        p += extra + 1;
    }
    return true;
}

bool contains_wildcard(std::string_view text) {
    // Every PUBLISH's topic passes here: eight bytes at a time, then the rest one by one. (find_first_of
    // calls memchr once per character, which once dominated PUBLISH decode.)
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighBits = 0x8080808080808080ULL;
    auto has_byte = [](std::uint64_t word, std::uint8_t byte) {
        std::uint64_t x = word ^ (kOnes * byte);  // a zero byte where `word` holds `byte`
        return ((x - kOnes) & ~x & kHighBits) != 0;
    };
    std::size_t i = 0;
    for (; i + 8 <= text.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, text.data() + i, sizeof word);
        if (has_byte(word, '+') || has_byte(word, '#')) return true;
    }
    for (; i < text.size(); ++i)
        if (text[i] == '+' || text[i] == '#') return true;
    return false;
}

bool is_valid_topic_name(std::string_view topic) {
    if (topic.empty() || topic.size() > kMaxStringLength) return false;
    if (contains_wildcard(topic)) return false;
    return is_valid_utf8(topic);
}

namespace {

bool is_valid_plain_filter(std::string_view filter) {
    if (filter.empty()) return false;
    for (std::size_t i = 0; i < filter.size(); ++i) {
        char c = filter[i];
        bool starts_level = i == 0 || filter[i - 1] == '/';
        bool ends_level = i + 1 == filter.size() || filter[i + 1] == '/';
        if (c == '+' && !(starts_level && ends_level)) return false;
        if (c == '#' && !(starts_level && i + 1 == filter.size())) return false;
    }
    return true;
}

}  // namespace

std::optional<SharedFilter> parse_shared_filter(std::string_view filter) {
    constexpr std::string_view kPrefix = "$share/";
    if (!filter.starts_with(kPrefix)) return std::nullopt;
    auto rest = filter.substr(kPrefix.size());
    auto slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    return SharedFilter{rest.substr(0, slash), rest.substr(slash + 1)};
}

bool is_valid_topic_filter(std::string_view filter) {
    if (filter.size() > kMaxStringLength || !is_valid_utf8(filter)) return false;
    if (filter.starts_with("$share/")) {
        auto shared = parse_shared_filter(filter);
        if (!shared || shared->group.empty()) return false;
        if (contains_wildcard(shared->group)) return false;
        return is_valid_plain_filter(shared->filter);
    }
    return is_valid_plain_filter(filter);
}

std::size_t topic_levels(std::string_view topic) {
    std::size_t levels = 1;
    for (char c : topic)
        levels += c == '/';
    return levels;
}

bool topic_matches(std::string_view filter, std::string_view topic) {
    if (!topic.empty() && topic.front() == '$' && !filter.empty() &&
        (filter.front() == '+' || filter.front() == '#'))
        return false;
    // One pass over both strings, a level at a time; f and t start each round at the start of a level.
    const std::size_t fn = filter.size(), tn = topic.size();
    std::size_t f = 0, t = 0;
    while (f < fn) {
        bool whole_level = f + 1 == fn || filter[f + 1] == '/';
        if (filter[f] == '#' && whole_level)
            return true;  // this level and all below, including the parent ("a/#" ~ "a")
        if (filter[f] == '+' && whole_level) {
            while (t < tn && topic[t] != '/')
                ++t;
            ++f;
        } else {
            for (; f < fn && filter[f] != '/'; ++f, ++t)
                if (t == tn || topic[t] != filter[f]) return false;
            if (t < tn && topic[t] != '/') return false;  // the topic's level is longer
        }
        // Both at the end of a level: a '/' or the end of the string.
        if (f == fn) return t == tn;
        if (t == tn) return filter.substr(f + 1) == "#";  // "sport/#" matches "sport"
        ++f, ++t;
    }
    return t == tn;  // the filter ended right after a '/': so must the topic
}

}  // namespace culex::protocol
