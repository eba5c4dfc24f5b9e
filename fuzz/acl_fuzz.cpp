// libFuzzer target for the ACL file (src/auth/acl) and filter_covers / filters_intersect, which judge a
// SUBSCRIBE against a rule. The input is an acl_file. When it loads, it is asked about every topic and filter
// it mentions (plus a few made from them) for a few clients: anonymous, each user it names, and one with a
// wildcard in its id. Invariants beyond "no crash":
// - errors name this file and a line it has; Windows line ends change nothing;
// - subscribing to a topic name (no wildcard) is allowed exactly when reading it is: filter_covers and
//   topic_matches must agree on literal filters;
// - filter_covers(A, B) means every topic B matches, A matches too (checked on the topics at hand);
// - a topic at hand that both A and B match means filters_intersect(A, B), in either order;
// - a client id holding a wildcard gains nothing from the patterns: whatever it may do, the same client with
//   a plain id may do too (its own rules do not depend on the id).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/acl.hpp"
#include "auth/filter_cover.hpp"
#include "invariant.hpp"
#include "protocol/topic.hpp"

namespace {

using culex::fuzz::check;
using namespace culex::auth;
using culex::protocol::is_valid_topic_filter;
using culex::protocol::is_valid_topic_name;
using culex::protocol::topic_matches;

constexpr const char* kTarget = "acl_fuzz";
constexpr std::string_view kName = "fuzz.acl";
constexpr std::size_t kMaxWords = 24;

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        auto end = text.find('\n');
        out.push_back(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// Topics from a filter: '+' and '#' replaced by a level, and '#' also by nothing (it matches the parent).
void instances(std::string_view filter, std::vector<std::string>& out) {
    for (std::string_view fill : {"x", "$y"}) {
        std::string topic;
        for (char c : filter) {
            if (c == '+' || c == '#') {
                topic.append(fill);
            } else {
                topic += c;
            }
        }
        out.push_back(topic);
    }
    if (filter.ends_with("/#")) out.emplace_back(filter.substr(0, filter.size() - 2));
}

void check_error(const culex::Error& error, std::size_t lines) {
    const std::string& m = error.message;
    check(m.starts_with(std::string(kName) + ":"), kTarget, "an error that does not name the file");
    auto colon = m.find(':', kName.size() + 1);
    check(colon != std::string::npos, kTarget, "an error without a line number");
    auto number = std::stoul(m.substr(kName.size() + 1, colon - kName.size() - 1));
    check(number >= 1 && number <= lines, kTarget, "an error names a line the file does not have");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto lines = lines_of(text);
    auto acl = Acl::parse(text, kName);

    // Windows line ends: "\r\n" for each "\n" not already preceded by '\r'.
    std::string crlf;
    for (char c : text) {
        if (c == '\n' && (crlf.empty() || crlf.back() != '\r')) crlf += '\r';
        crlf += c;
    }
    auto again = Acl::parse(crlf, kName);
    check(acl.has_value() == again.has_value(), kTarget, "CRLF line ends change whether the file loads");
    if (!acl) {
        check_error(acl.error(), lines.size());
        check(acl.error().message == again.error().message, kTarget, "CRLF line ends change the error");
        return 0;
    }

    // The words of the file: user names (after `user`) and filters (the last word of a rule).
    std::vector<std::string> users;
    std::vector<std::string> filters;
    std::vector<std::string> topics;
    for (auto line : lines) {
        auto content = trim(line);
        if (users.size() + filters.size() >= kMaxWords) break;
        if (content.starts_with("user ") || content.starts_with("user\t")) {
            users.emplace_back(trim(content.substr(5)));
            continue;
        }
        auto space = content.find_last_of(" \t");
        if (space == std::string_view::npos) continue;
        auto word = content.substr(space + 1);
        if (is_valid_topic_filter(word)) filters.emplace_back(word);
    }
    for (const auto& f : filters) {
        if (is_valid_topic_name(f)) topics.push_back(f);
        instances(f, topics);
    }
    std::erase_if(topics, [](const std::string& t) { return !is_valid_topic_name(t); });

    std::vector<ClientIdentity> clients{{"anon", std::nullopt}, {"c+", std::nullopt}};
    for (const auto& u : users) {
        clients.push_back({"id", u});
        clients.push_back({"id#", u});
    }
    for (std::size_t i = 0; i < clients.size(); ++i) {
        const auto& client = clients[i];
        // Odd entries are the even ones with a wildcard in the client id.
        const ClientIdentity* plain = i % 2 == 1 ? &clients[i - 1] : nullptr;
        for (const auto& t : topics) {
            bool read = acl->allows(client, Access::read, t);
            bool write = acl->allows(client, Access::write, t);
            bool subscribe = acl->allows(client, Access::subscribe, t);
            if (!t.starts_with("$share/")) {
                check(read == subscribe, kTarget, "subscribing to a topic name is judged unlike reading it");
            }
            if (plain) {
                check(!read || acl->allows(*plain, Access::read, t), kTarget,
                      "a wildcard in the client id grants a read");
                check(!write || acl->allows(*plain, Access::write, t), kTarget,
                      "a wildcard in the client id grants a write");
            }
            check(read == again->allows(client, Access::read, t), kTarget, "CRLF changes a read decision");
            check(write == again->allows(client, Access::write, t), kTarget, "CRLF changes a write decision");
        }
        for (const auto& f : filters)
            (void)acl->allows(client, Access::subscribe, f);
    }

    for (const auto& outer : filters) {
        for (const auto& inner : filters) {
            if (culex::protocol::parse_shared_filter(outer) || culex::protocol::parse_shared_filter(inner))
                continue;
            for (const auto& t : topics) {
                if (topic_matches(outer, t) && topic_matches(inner, t)) {
                    check(filters_intersect(outer, inner) && filters_intersect(inner, outer), kTarget,
                          "A and B both match a topic but filters_intersect says they share none");
                }
            }
            if (!filter_covers(outer, inner)) continue;
            for (const auto& t : topics) {
                if (topic_matches(inner, t)) {
                    check(topic_matches(outer, t), kTarget,
                          "filter_covers(A, B) but B matches what A does not");
                }
            }
        }
    }
    return 0;
}
