#include "bridge/topic_map.hpp"

#include "protocol/topic.hpp"

namespace culex::bridge {

namespace {

std::optional<std::string> rename_matching(std::string_view filter, std::string_view from_prefix,
                                           std::string_view to_prefix, std::string_view topic) {
    if (!protocol::topic_matches(filter, topic) || !topic.starts_with(from_prefix)) return std::nullopt;
    std::string renamed(to_prefix);
    renamed.append(topic.substr(from_prefix.size()));
    return renamed;
}

}  // namespace

std::string local_filter(const config::BridgeTopic& rule) {
    return rule.local_prefix + rule.pattern;
}

std::string remote_filter(const config::BridgeTopic& rule) {
    return rule.remote_prefix + rule.pattern;
}

std::optional<std::string> to_remote(const config::BridgeTopic& rule, std::string_view local_topic) {
    return rename_matching(local_filter(rule), rule.local_prefix, rule.remote_prefix, local_topic);
}

std::optional<std::string> to_local(const config::BridgeTopic& rule, std::string_view remote_topic) {
    return rename_matching(remote_filter(rule), rule.remote_prefix, rule.local_prefix, remote_topic);
}

}  // namespace culex::bridge
