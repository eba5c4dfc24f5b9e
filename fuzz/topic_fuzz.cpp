// libFuzzer target for the topic rules (src/protocol/topic) and the subscription tree
// (src/broker/subscription_tree). The input is up to 16 strings, one per line. Each is checked by the
// validators; every valid filter is matched against every valid topic name by topic_matches and by a plain
// level-by-level matcher written here from the spec (MQTT 5 section 4.7), and the two must agree. The
// filters are then subscribed in a SubscriptionTree by four sessions, and its matches for each topic must be
// what the plain matcher says: the sessions with a matching subscription, each once, with its highest QoS,
// and one pick per matching shared group.
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "broker/subscription_tree.hpp"
#include "invariant.hpp"
#include "protocol/topic.hpp"

namespace {

using culex::fuzz::check;
using namespace culex::protocol;
using culex::broker::AnchorPtr;
using culex::broker::SessionAnchor;
using culex::broker::SubscriptionMatch;
using culex::broker::SubscriptionOptions;
using culex::broker::SubscriptionTree;

constexpr const char* kTarget = "topic_fuzz";
constexpr std::size_t kMaxStrings = 16;
constexpr int kSessions = 4;

std::vector<std::string_view> levels(std::string_view text) {
    std::vector<std::string_view> out;
    while (true) {
        auto slash = text.find('/');
        out.push_back(text.substr(0, slash));
        if (slash == std::string_view::npos) return out;
        text.remove_prefix(slash + 1);
    }
}

// The spec's rules, level by level: '+' is one whole level, '#' the rest (the parent level included), and a
// filter starting with a wildcard does not match a topic starting with '$'.
bool reference_matches(std::string_view filter, std::string_view topic) {
    if (topic.starts_with('$') && (filter.starts_with('+') || filter.starts_with('#'))) return false;
    auto f = levels(filter);
    auto t = levels(topic);
    std::size_t i = 0;
    for (; i < f.size(); ++i) {
        if (f[i] == "#") return true;
        if (i == t.size()) return false;
        if (f[i] != "+" && f[i] != t[i]) return false;
    }
    return i == t.size();
}

void check_validators(std::string_view s) {
    bool name = is_valid_topic_name(s);
    bool filter = is_valid_topic_filter(s);
    if (name) {
        check(!s.empty() && is_valid_utf8(s) && !contains_wildcard(s), kTarget,
              "a valid topic name is empty, not UTF-8 or has a wildcard");
        // A name is a filter without wildcards, unless "$share/" makes it a (malformed) shared one.
        if (!s.starts_with("$share/")) check(filter, kTarget, "a valid topic name is not a valid filter");
        check(topic_matches(s, s), kTarget, "a topic name does not match itself");
    }
    if (filter) check(is_valid_utf8(s), kTarget, "a valid filter is not UTF-8");
    auto shared = parse_shared_filter(s);
    if (shared) {
        check(s.starts_with("$share/"), kTarget, "a shared filter without $share/");
        check(shared->group.find('/') == std::string_view::npos, kTarget, "a share group holds a '/'");
        if (filter) {
            check(!shared->group.empty() && !contains_wildcard(shared->group), kTarget,
                  "a valid shared filter with an empty or wildcard group");
            // The inner filter follows the plain rules; one that itself starts with "$share/" is literal.
            check(is_valid_topic_filter(shared->filter) || shared->filter.starts_with("$share/"), kTarget,
                  "a valid shared filter's inner filter is not valid");
        }
    } else if (filter) {
        check(!s.starts_with("$share/"), kTarget, "a valid $share/ filter that does not parse as shared");
    }
}

struct FilterSubscription {
    std::string filter;  // the full filter, $share/GROUP/ included
    int session;
    QoS qos;
};

void check_tree(const std::vector<FilterSubscription>& subs, const std::vector<std::string_view>& topics) {
    SubscriptionTree tree;
    std::vector<AnchorPtr> anchors;
    for (int i = 0; i < kSessions; ++i)
        anchors.push_back(std::make_shared<SessionAnchor>("s" + std::to_string(i), 0));
    // What the tree should hold: the QoS of each (session, filter), the last subscribe winning.
    std::map<std::pair<int, std::string>, QoS> held;
    for (const auto& sub : subs) {
        SubscriptionOptions options;
        options.max_qos = sub.qos;
        bool added = tree.subscribe(sub.filter, anchors[sub.session], options);
        bool is_new = held.find({sub.session, sub.filter}) == held.end();
        check(added == is_new, kTarget, "subscribe says new for an existing subscription, or the reverse");
        held[{sub.session, sub.filter}] = sub.qos;
    }
    check(tree.size() == held.size(), kTarget, "the tree's size is not the number of subscriptions");

    for (int round = 0; round < 2; ++round) {
        for (auto topic : topics) {
            // Expected: per session its highest QoS over matching ordinary filters; the matching groups.
            std::map<int, QoS> ordinary;
            std::set<std::string> groups;  // "GROUP\0FILTER"
            for (const auto& [key, qos] : held) {
                const auto& [session, filter] = key;
                if (auto shared = parse_shared_filter(filter)) {
                    if (reference_matches(shared->filter, topic)) {
                        groups.insert(std::string(shared->group) + '\0' + std::string(shared->filter));
                    }
                    continue;
                }
                if (!reference_matches(filter, topic)) continue;
                auto [it, fresh] = ordinary.emplace(session, qos);
                if (!fresh && qos > it->second) it->second = qos;
            }
            std::vector<SubscriptionMatch> matches;
            tree.match(topic, matches);
            std::size_t shared_seen = 0;
            std::set<const SessionAnchor*> seen;
            for (const auto& m : matches) {
                if (m.share) {
                    ++shared_seen;
                    auto parsed = parse_shared_filter(*m.share);
                    check(parsed.has_value(), kTarget, "a shared match whose key is not a shared filter");
                    check(groups.contains(std::string(parsed->group) + '\0' + std::string(parsed->filter)),
                          kTarget, "a shared match for a group that does not match");
                    check(held.contains({std::stoi(m.anchor->client_id.substr(1)), *m.share}), kTarget,
                          "a shared pick that is not a member of its group");
                    continue;
                }
                check(seen.insert(m.anchor.get()).second, kTarget, "a session matched twice");
                int session = std::stoi(m.anchor->client_id.substr(1));
                auto it = ordinary.find(session);
                check(it != ordinary.end(), kTarget, "the tree matches a session the spec does not");
                check(m.options.max_qos == it->second, kTarget, "a match without the highest QoS");
            }
            check(seen.size() == ordinary.size(), kTarget, "the tree misses a matching session");
            check(shared_seen == groups.size(), kTarget, "not one pick per matching shared group");
        }
        // Second round: without every other subscription.
        bool drop = true;
        for (auto it = held.begin(); it != held.end();) {
            drop = !drop;
            if (!drop) {
                ++it;
                continue;
            }
            bool removed = tree.unsubscribe(it->first.second, anchors[it->first.first].get());
            check(removed, kTarget, "unsubscribe does not find a subscription");
            check(!tree.unsubscribe(it->first.second, anchors[it->first.first].get()), kTarget,
                  "unsubscribe finds a subscription twice");
            it = held.erase(it);
        }
        check(tree.size() == held.size(), kTarget, "the tree's size after unsubscribing");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> strings;
    while (!input.empty() && strings.size() < kMaxStrings) {
        auto end = input.find('\n');
        strings.push_back(input.substr(0, end));
        input = end == std::string_view::npos ? std::string_view{} : input.substr(end + 1);
    }

    std::vector<std::string_view> topics;
    std::vector<FilterSubscription> subs;
    for (std::size_t i = 0; i < strings.size(); ++i) {
        auto s = strings[i];
        check_validators(s);
        if (is_valid_topic_name(s)) topics.push_back(s);
        if (is_valid_topic_filter(s)) {
            subs.push_back({std::string(s), static_cast<int>(i % kSessions), static_cast<QoS>(s.size() % 3)});
        }
    }
    for (const auto& sub : subs) {
        if (parse_shared_filter(sub.filter)) continue;
        for (auto topic : topics) {
            check(topic_matches(sub.filter, topic) == reference_matches(sub.filter, topic), kTarget,
                  "topic_matches disagrees with the spec's level-by-level rules");
        }
    }
    check_tree(subs, topics);
    return 0;
}
