// libFuzzer target for the MQTT topic <-> NATS subject mapping (src/cluster/subject_map). The input is a
// topic name and a filter, separated by the first newline. A valid topic must map to a subject NATS can carry
// (no whitespace or control byte, no empty token, no bare wildcard token) and back to exactly itself; any
// input read as a subject must either be refused or map to a topic that maps back to that same subject (one
// spelling per topic); a valid filter's subjects must match the topic's subject in NATS exactly when the
// filter matches the topic in MQTT (the `$` rule aside).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/subject_map.hpp"
#include "invariant.hpp"
#include "protocol/topic.hpp"

namespace {

using culex::fuzz::check;
using namespace culex::cluster;

constexpr const char* kTarget = "subject_map_fuzz";
constexpr std::string_view kPrefix = "culex.msg.";

std::vector<std::string_view> tokens(std::string_view subject) {
    std::vector<std::string_view> out;
    while (true) {
        auto dot = subject.find('.');
        out.push_back(subject.substr(0, dot));
        if (dot == std::string_view::npos) return out;
        subject.remove_prefix(dot + 1);
    }
}

bool nats_matches(std::string_view pattern, std::string_view subject) {
    auto p = tokens(pattern), t = tokens(subject);
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (p[i] == ">") return t.size() > i;
        if (i >= t.size() || (p[i] != "*" && p[i] != t[i])) return false;
    }
    return p.size() == t.size();
}

void check_topic(std::string_view topic) {
    std::string subject = subject_from_topic(kPrefix, topic);
    for (unsigned char c : subject)
        check(c > 0x20 && c != 0x7F, kTarget, "a subject holds whitespace or a control byte");
    for (auto token : tokens(subject))
        check(!token.empty() && token != "*" && token != ">", kTarget, "an empty or wildcard token");
    auto back = topic_from_subject(kPrefix, subject);
    check(back && *back == topic, kTarget, "a topic does not map back to itself");
}

void check_subject(std::string_view subject) {
    auto topic = topic_from_subject(kPrefix, subject);
    if (!topic) return;
    check(subject_from_topic(kPrefix, *topic) == subject, kTarget, "two subjects map to one topic");
}

void check_filter(std::string_view filter, std::string_view topic) {
    auto subjects = subjects_from_filter(kPrefix, filter);
    std::string subject = subject_from_topic(kPrefix, topic);
    bool nats = false;
    for (const auto& s : subjects)
        nats = nats || nats_matches(s, subject);
    bool leading_wildcard = filter.starts_with('+') || filter.starts_with('#');
    if (topic.starts_with('$') && leading_wildcard) return;  // NATS has no `$` rule; the broker's tree does
    check(nats == culex::protocol::topic_matches(filter, topic), kTarget,
          "NATS and MQTT disagree on a match");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    auto newline = input.find('\n');
    std::string_view topic = input.substr(0, newline);
    std::string_view filter =
        newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
    check_subject(input);
    bool topic_ok = culex::protocol::is_valid_topic_name(topic);
    if (topic_ok) check_topic(topic);
    if (topic_ok && culex::protocol::is_valid_topic_filter(filter) && !filter.starts_with("$share/"))
        check_filter(filter, topic);
    return 0;
}
