#include "protocol/topic.hpp"

#include <cstdint>

#include "protocol/types.hpp"

namespace culex::protocol {

bool is_valid_utf8(std::string_view text) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
    const auto* end = p + text.size();
    while (p < end) {
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

bool is_valid_topic_name(std::string_view topic) {
    if (topic.empty() || topic.size() > kMaxStringLength) return false;
    if (topic.find_first_of("+#") != std::string_view::npos) return false;
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
        if (shared->group.find_first_of("+#") != std::string_view::npos) return false;
        return is_valid_plain_filter(shared->filter);
    }
    return is_valid_plain_filter(filter);
}

bool topic_matches(std::string_view filter, std::string_view topic) {
    if (!topic.empty() && topic.front() == '$' && !filter.empty() &&
        (filter.front() == '+' || filter.front() == '#'))
        return false;
    std::size_t f = 0, t = 0;
    while (true) {
        // Compare one level of each.
        std::size_t f_end = filter.find('/', f);
        std::size_t t_end = topic.find('/', t);
        if (f_end == std::string_view::npos) f_end = filter.size();
        if (t_end == std::string_view::npos) t_end = topic.size();
        std::string_view f_level = filter.substr(f, f_end - f);
        if (f_level == "#")
            return true;  // matches this level and all below, including the parent ("a/#" ~ "a")
        std::string_view t_level = topic.substr(t, t_end - t);
        if (f_level != "+" && f_level != t_level) return false;
        bool filter_done = f_end == filter.size();
        bool topic_done = t_end == topic.size();
        if (filter_done && topic_done) return true;
        if (filter_done) return false;
        f = f_end + 1;
        if (topic_done) {
            // Only "#" can match past the end of the topic ("sport/#" matches "sport").
            return filter.substr(f) == "#";
        }
        t = t_end + 1;
    }
}

}  // namespace culex::protocol
