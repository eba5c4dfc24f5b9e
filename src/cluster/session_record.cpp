#include "cluster/session_record.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>

#include "cluster/client_ownership.hpp"

namespace culex::cluster {

namespace {

std::optional<std::uint64_t> number(std::string_view text) {
    std::uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// The words of a line, split at single spaces.
std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    while (true) {
        auto space = line.find(' ');
        out.push_back(line.substr(0, space));
        if (space == std::string_view::npos) return out;
        line.remove_prefix(space + 1);
    }
}

}  // namespace

// One line per field, a filter in hex (a filter may hold any UTF-8, newlines included):
//   home NODE:INCARNATION / node NODE / online 1 (only when it is) / since SEQ / expires MS /
//   expiry SECONDS (none: never) / sub QOS NO_LOCAL RAP ID HEX
std::string encode_session_record(const SessionRecord& record) {
    std::string text =
        fmt::format("home {}\nnode {}\n{}since {}\nexpires {}\n", record.home, record.home_node,
                    record.online ? "online 1\n" : "", record.since, record.expires_at_ms);
    if (record.expiry_seconds) text += fmt::format("expiry {}\n", *record.expiry_seconds);
    for (const auto& [filter, options] : record.subscriptions)
        text += fmt::format("sub {} {} {} {} {}\n", static_cast<int>(options.max_qos),
                            options.no_local ? 1 : 0, options.retain_as_published ? 1 : 0,
                            options.subscription_id, ClientOwnership::key_of(filter).substr(1));
    return text;
}

std::optional<SessionRecord> decode_session_record(std::string_view text) {
    SessionRecord record;
    while (!text.empty()) {
        auto end = text.find('\n');
        if (end == std::string_view::npos) return std::nullopt;
        auto line = words(text.substr(0, end));
        text.remove_prefix(end + 1);
        if (line.size() == 2 && line[0] == "home") {
            record.home = line[1];
        } else if (line.size() == 2 && line[0] == "node") {
            record.home_node = line[1];
        } else if (line.size() == 2 && line[0] == "online") {
            record.online = line[1] == "1";
        } else if (line.size() == 2 && line[0] == "expiry") {
            auto value = number(line[1]);
            if (!value || *value > UINT32_MAX) return std::nullopt;
            record.expiry_seconds = static_cast<std::uint32_t>(*value);
        } else if (line.size() == 2 && line[0] == "since") {
            auto value = number(line[1]);
            if (!value) return std::nullopt;
            record.since = *value;
        } else if (line.size() == 2 && line[0] == "expires") {
            auto value = number(line[1]);
            if (!value) return std::nullopt;
            record.expires_at_ms = static_cast<std::int64_t>(*value);
        } else if (line.size() == 6 && line[0] == "sub") {
            auto qos = number(line[1]);
            auto id = number(line[4]);
            std::string filter = ClientOwnership::client_id_of("c" + std::string(line[5]));
            if (!qos || *qos > 2 || !id || filter.empty()) return std::nullopt;
            broker::SubscriptionOptions options{static_cast<protocol::QoS>(*qos), line[2] == "1",
                                                line[3] == "1", static_cast<std::uint32_t>(*id)};
            record.subscriptions.push_back({std::move(filter), options});
        } else {
            return std::nullopt;
        }
    }
    return record;
}

SweepAction sweep_action(const SessionRecord& record, bool home_live, std::int64_t now_ms) {
    if (home_live) return SweepAction::keep;
    if (record.online) return record.expiry_seconds ? SweepAction::mark_offline : SweepAction::keep;
    return record.expires_at_ms != 0 && record.expires_at_ms <= now_ms ? SweepAction::remove
                                                                       : SweepAction::keep;
}

std::string_view node_of_home(std::string_view home) {
    return home.substr(0, home.rfind(':'));
}

std::string_view incarnation_of_home(std::string_view home) {
    auto colon = home.rfind(':');
    return colon == std::string_view::npos ? std::string_view() : home.substr(colon + 1);
}

}  // namespace culex::cluster
