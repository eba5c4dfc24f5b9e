#include "cluster/subject_map.hpp"

#include <algorithm>

namespace culex::cluster {

namespace {

constexpr char kHex[] = "0123456789ABCDEF";
constexpr std::string_view kEmptyLevel = "%-";

bool needs_escape(unsigned char c) {
    return c <= 0x20 || c == 0x7F || c == '.' || c == '*' || c == '>' || c == '$' || c == '%';
}

void append_level(std::string_view level, std::string& out) {
    if (level.empty()) {
        out += kEmptyLevel;
        return;
    }
    // Most levels need no escape: one append (this runs for every message a node publishes).
    auto plain = std::find_if(level.begin(), level.end(),
                              [](char ch) { return needs_escape(static_cast<unsigned char>(ch)); });
    out.append(level.begin(), plain);
    for (char ch : std::string_view(plain, level.end())) {
        auto c = static_cast<unsigned char>(ch);
        if (!needs_escape(c)) {
            out += ch;
            continue;
        }
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// One token back to its level; false when no level would have been written this way.
bool decode_token(std::string_view token, std::string& out) {
    if (token == kEmptyLevel) return true;
    if (token.empty() || token == "*" || token == ">") return false;
    for (std::size_t i = 0; i < token.size(); ++i) {
        auto c = static_cast<unsigned char>(token[i]);
        if (c != '%') {
            // An encoder never leaves these bare, and no topic name holds the others.
            if (needs_escape(c) || c == '/' || c == '+' || c == '#') return false;
            out += token[i];
            continue;
        }
        if (i + 2 >= token.size()) return false;
        int high = hex_value(token[i + 1]);
        int low = hex_value(token[i + 2]);
        if (high < 0 || low < 0) return false;
        auto decoded = static_cast<unsigned char>(high * 16 + low);
        if (!needs_escape(decoded)) return false;  // one spelling per topic: the mapping stays one to one
        out += static_cast<char>(decoded);
        i += 2;
    }
    return true;
}

template <typename Visit>
void for_each_level(std::string_view text, Visit visit) {
    std::size_t start = 0;
    while (true) {
        auto slash = text.find('/', start);
        visit(text.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
        if (slash == std::string_view::npos) return;
        start = slash + 1;
    }
}

}  // namespace

void subject_from_topic(std::string_view prefix, std::string_view topic, std::string& out) {
    out.assign(prefix);
    bool first = true;
    for_each_level(topic, [&](std::string_view level) {
        if (!first) out += '.';
        first = false;
        append_level(level, out);
    });
}

std::string subject_from_topic(std::string_view prefix, std::string_view topic) {
    std::string subject;
    subject_from_topic(prefix, topic, subject);
    return subject;
}

std::optional<std::string> topic_from_subject(std::string_view prefix, std::string_view subject) {
    if (!subject.starts_with(prefix) || subject.size() == prefix.size()) return std::nullopt;
    subject.remove_prefix(prefix.size());
    std::string topic;
    topic.reserve(subject.size());
    std::size_t start = 0;
    while (true) {
        auto dot = subject.find('.', start);
        std::string_view token =
            subject.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (!decode_token(token, topic)) return std::nullopt;
        if (dot == std::string_view::npos) return topic;
        topic += '/';
        start = dot + 1;
    }
}

std::string queue_group(std::string_view share_group) {
    return subject_from_topic(kQueuePrefix, share_group);
}

std::optional<std::string> share_group_of(std::string_view queue) {
    return topic_from_subject(kQueuePrefix, queue);
}

std::vector<std::string> subjects_from_filter(std::string_view prefix, std::string_view filter) {
    std::string subject(prefix);
    std::size_t before_last = subject.size();  // where the subject stood before the last level's token
    bool first = true;
    bool multi = false;
    for_each_level(filter, [&](std::string_view level) {
        before_last = subject.size();
        if (!first) subject += '.';
        first = false;
        if (level == "+") {
            subject += '*';
        } else if (level == "#") {
            multi = true;
            subject += '>';
        } else {
            append_level(level, subject);
        }
    });
    std::vector<std::string> subjects{subject};
    // `a/#` matches `a` too (spec 4.7.1.2); a bare `#` already matches every topic through `>`.
    if (multi && before_last > prefix.size()) subjects.push_back(subject.substr(0, before_last));
    return subjects;
}

}  // namespace culex::cluster
