#include "auth/acl.hpp"

#include "auth/filter_cover.hpp"
#include "auth/text_lines.hpp"
#include "protocol/topic.hpp"

namespace culex::auth {

namespace {

constexpr int kDenied = 0;
constexpr int kGranted = 1;
constexpr int kNoDecision = -1;

// Splits off the first word (up to a space or tab) of `text`.
std::string_view next_word(std::string_view& text) {
    text = trim_blanks(text);
    auto end = text.find_first_of(" \t");
    auto word = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : trim_blanks(text.substr(end));
    return word;
}

bool contains_wildcard(std::string_view text) {
    return text.find_first_of("+#") != std::string_view::npos;
}

// `pattern` with every %c and %u replaced, into `out`.
void expand_pattern(std::string_view pattern, const ClientIdentity& client, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '%' && i + 1 < pattern.size()) {
            if (pattern[i + 1] == 'c') {
                out.append(client.client_id);
                ++i;
                continue;
            }
            if (pattern[i + 1] == 'u' && client.username) {
                out.append(*client.username);
                ++i;
                continue;
            }
        }
        out.push_back(pattern[i]);
    }
}

// A SUBSCRIBE is refused by a deny rule only when the rule covers all of its filter, and granted by a rule
// that grants a part of it: what such a subscription matches outside its grants is withheld at delivery,
// where every message is checked for read access. So a client that may read alice/# and subscribes to +/x
// gets alice/x (as Mosquitto delivers it), and one that may read nothing the filter can match is told so.
bool rule_matches(std::string_view filter, bool deny, Access access, std::string_view target) {
    if (access != Access::subscribe) return protocol::topic_matches(filter, target);
    return deny ? filter_covers(filter, target) : filters_intersect(filter, target);
}

}  // namespace

Result<Acl> Acl::load(const std::filesystem::path& path) {
    auto text = read_text_file(path, "acl_file");
    if (!text) return std::unexpected(text.error());
    return parse(*text, path.string());
}

Result<Acl> Acl::parse(std::string_view text, std::string_view source_name) {
    Acl acl;
    RuleList* current = &acl.anonymous_;
    std::string error;
    for_each_line(text, [&](std::size_t number, std::string_view line) {
        if (!error.empty()) return;
        auto where = std::string(source_name) + ":" + std::to_string(number) + ": ";
        auto rest = trim_blanks(line);
        if (rest.empty() || rest.starts_with('#')) return;
        auto keyword = next_word(rest);
        if (keyword == "user") {
            if (rest.empty()) {
                error = where + "`user` needs a user name (user NAME)";
                return;
            }
            current = &acl.users_[std::string(rest)];
            return;
        }
        if (keyword != "topic" && keyword != "pattern") {
            error =
                where + "unknown keyword \"" + std::string(keyword) + "\" (expected topic, pattern or user)";
            return;
        }
        bool pattern = keyword == "pattern";
        auto first = next_word(rest);
        if (first.empty()) {
            error = where + "`" + std::string(keyword) + "` needs a topic filter (" + std::string(keyword) +
                    " [read|write|readwrite|deny] FILTER)";
            return;
        }
        // As in Mosquitto, a lone word is the filter: "topic read" grants readwrite on the topic "read".
        Rule rule{std::string(rest.empty() ? first : rest), kReadWrite, false};
        if (!rest.empty()) {
            if (first == "read") {
                rule.permission = kRead;
            } else if (first == "write") {
                rule.permission = kWrite;
            } else if (first == "readwrite") {
                rule.permission = kReadWrite;
            } else if (first == "deny") {
                rule.permission = kDeny;
            } else {
                error = where + "unknown access \"" + std::string(first) +
                        "\" (expected read, write, readwrite or deny before the filter)";
                return;
            }
        }
        if (!protocol::is_valid_topic_filter(rule.filter)) {
            error = where + "\"" + rule.filter +
                    "\" is not a valid topic filter ('+' and '#' must fill a whole level, '#' only the last)";
            return;
        }
        if (pattern) {
            rule.uses_username = rule.filter.find("%u") != std::string::npos;
            if (!rule.uses_username && rule.filter.find("%c") == std::string::npos) {
                acl.warnings_.push_back(where + "Warning: ACL pattern '" + rule.filter +
                                        "' does not contain '%c' or '%u'.");
            }
            add_rule(acl.patterns_, std::move(rule));
        } else {
            add_rule(*current, std::move(rule));
        }
    });
    if (!error.empty()) return fail(std::move(error));
    return acl;
}

void Acl::add_rule(RuleList& rules, Rule rule) {
    if (rule.permission != kDeny) {
        rules.push_back(std::move(rule));
        return;
    }
    auto first_grant =
        std::find_if(rules.begin(), rules.end(), [](const Rule& r) { return r.permission != kDeny; });
    rules.insert(first_grant, std::move(rule));
}

int Acl::decide(const RuleList& rules, const ClientIdentity& client, Access access, std::string_view target,
                bool patterns) {
    const Permission wanted = access == Access::write ? kWrite : kRead;
    // Reused across calls on this thread: after the first few checks, expanding a pattern allocates nothing.
    thread_local std::string expanded;
    for (const auto& rule : rules) {
        std::string_view filter = rule.filter;
        if (patterns) {
            if (rule.uses_username && !client.username) continue;
            expand_pattern(rule.filter, client, expanded);
            filter = expanded;
        }
        if (!rule_matches(filter, rule.permission == kDeny, access, target)) continue;
        if (rule.permission == kDeny) return kDenied;
        if (rule.permission & wanted) return kGranted;
    }
    return kNoDecision;
}

bool Acl::allows(const ClientIdentity& client, Access access, std::string_view topic_or_filter) const {
    std::string_view target = topic_or_filter;
    if (access == Access::subscribe) {
        if (auto shared = protocol::parse_shared_filter(target)) target = shared->filter;
    }
    if (target.empty()) return false;

    const RuleList* own = &anonymous_;
    if (client.username) {
        auto it = users_.find(*client.username);
        own = it == users_.end() ? nullptr : &it->second;
    }
    if (own) {
        if (int decision = decide(*own, client, access, target, false); decision != kNoDecision) {
            return decision == kGranted;
        }
    }
    if (patterns_.empty()) return false;
    // A client id or user name holding a wildcard would widen the patterns it is substituted into.
    if (contains_wildcard(client.client_id) || (client.username && contains_wildcard(*client.username))) {
        return false;
    }
    return decide(patterns_, client, access, target, true) == kGranted;
}

}  // namespace culex::auth
