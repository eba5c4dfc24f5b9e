// pub, sub and rr's own flags, and each tool's command line read against its tables (the flags they share are
// in common_flags.cpp; the reading itself in flag_table.hpp).
#include "client/args.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>

#include "client/flag_table.hpp"
#include "client/property_args.hpp"
#include "protocol/topic.hpp"

namespace culex::client {

namespace {

// Checks Mosquitto makes once every flag is read. For MQTT 5 this is also where -x (or -c's "never
// expire") becomes the CONNECT's Session Expiry Interval, before the property lists are checked.
std::optional<ArgsStop> common_checks(CommonArgs& c) {
    if (c.will_payload && !c.will_topic) return fail("Error: Will payload given, but no will topic given.\n");
    if (c.will_retain && !c.will_topic) return fail("Error: Will retain given, but no will topic given.\n");
    if (c.version == protocol::ProtocolVersion::v5) {
        auto expiry = c.session_expiry;
        if (!c.clean_session && !expiry) expiry = 0xFFFFFFFFu;
        if (expiry && *expiry > 0) {
            if (*expiry == 0xFFFFFFFFu && (c.id_prefix || !c.id)) {
                return fail(
                    "Error: You must provide a client id if you are using an infinite session expiry "
                    "interval.\n");
            }
            add_session_expiry(c.properties, *expiry);
        }
        if (auto problem = check_property_lists(c.properties)) return fail(std::move(*problem));
    } else if (!c.clean_session && (c.id_prefix || !c.id)) {
        return fail("Error: You must provide a client id if you are using the -c option.\n");
    } else if (auto problem = check_property_lists(c.properties)) {
        return fail(std::move(*problem));
    }
    if (c.certfile.has_value() != c.keyfile.has_value()) {
        return fail("Error: Both certfile and keyfile must be provided if one of them is set.\n");
    }
    return std::nullopt;
}

// mosquitto_pub's default port is 8883 once TLS is on, unless -p said otherwise.
void default_tls_port(CommonArgs& c) {
    if (c.tls() && !c.port_given) c.port = 8883;
}

template <typename A>
FlagResult set_source(A& a, MessageSource source) {
    if (a.source != MessageSource::none)
        return fail("Error: Only one type of message can be sent at once.\n\n");
    a.source = source;
    return std::nullopt;
}

// -m and -f: the source is claimed before the value is read.
template <typename A, MessageSource Source>
FlagResult claim_source(A& a) {
    return set_source(a, Source);
}

// -s, -n, -l: the flag is the whole message source.
template <typename A, MessageSource Source>
FlagResult message_from(A& a, std::string_view) {
    return set_source(a, Source);
}

// The message flags pub and rr share (-m -f -s -n; pub also has -l). The source is claimed before the value
// is read, as Mosquitto does: `-m a -m` says "only one type", not "no message specified".
template <typename A>
std::span<const Flag<A>> message_flags() {
    static const Flag<A> flags[] = {
        {"-m", "--message", "-m argument given but no message specified.", store_text<A, &A::message>,
         claim_source<A, MessageSource::message>},
        {"-f", "--file", "-f argument given but no file specified.", store_text<A, &A::file>,
         claim_source<A, MessageSource::file>},
        {"-s", "--stdin-file", "", message_from<A, MessageSource::stdin_whole>},
        {"-n", "--null-message", "", message_from<A, MessageSource::null_message>},
    };
    return flags;
}

// What a topic word must be, in Mosquitto's words: valid UTF-8, then a topic name (no wildcards) or a
// subscription filter ('+' alone in its level, '#' alone and last).
FlagResult check_utf8(std::string_view flag, std::string_view v) {
    if (!protocol::is_valid_utf8(v))
        return fail(fmt::format("Error: Malformed UTF-8 in {} argument.\n\n", flag));
    return std::nullopt;
}

FlagResult check_topic_name(std::string_view flag, std::string_view kind, std::string_view v) {
    if (auto stop = check_utf8(flag, v)) return stop;
    if (!protocol::is_valid_topic_name(v))
        return fail(fmt::format("Error: Invalid {} topic '{}', does it contain '+' or '#'?\n", kind, v));
    return std::nullopt;
}

FlagResult check_filter(std::string_view flag, std::string_view kind, std::string_view v) {
    if (auto stop = check_utf8(flag, v)) return stop;
    if (!protocol::is_valid_topic_filter(v)) {
        return fail(
            fmt::format("Error: Invalid {} topic '{}', are all '+' and '#' wildcards correct?\n", kind, v));
    }
    return std::nullopt;
}

// -t of pub and rr: where the message goes.
template <typename A>
FlagResult on_publish_topic(A& a, std::string_view v) {
    if (auto stop = check_topic_name("-t", "publish", v)) return stop;
    a.topic = std::string(v);
    return std::nullopt;
}

// -W of sub and rr.
template <typename A>
FlagResult on_timeout(A& a, std::string_view v) {
    a.timeout_seconds = lenient_atoi(v);
    if (a.timeout_seconds < 1)
        return fail(fmt::format("Error: Invalid timeout \"{}\".\n\n", a.timeout_seconds));
    return std::nullopt;
}

// The flags sub and rr share for what they receive and how they print it (-F and --pretty are in
// output_flags()).
template <typename A>
std::span<const Flag<A>> receive_flags() {
    static const Flag<A> flags[] = {
        {"-W", "", "-W argument given but no timeout specified.", on_timeout<A>},
        {"-R", "", "", store_bool<A, &A::no_retain>},
        {"-v", "--verbose", "", store_bool<A, &A::verbose>},
        {"-N", "", "", store_bool<A, &A::eol, false>},
    };
    return flags;
}

FlagResult on_repeat(PubArgs& a, std::string_view v) {
    a.repeat_count = lenient_atoi(v);
    if (a.repeat_count < 1) return fail("Error: --repeat argument must be >0.\n\n");
    return std::nullopt;
}

FlagResult on_repeat_delay(PubArgs& a, std::string_view v) {
    a.repeat_delay_seconds = std::atof(std::string(v).c_str());
    if (a.repeat_delay_seconds < 0) return fail("Error: --repeat-delay argument must be >=0.0.\n\n");
    return std::nullopt;
}

const Flag<PubArgs> kPubFlags[] = {
    {"-t", "--topic", "-t argument given but no topic specified.", on_publish_topic<PubArgs>},
    {"-l", "--stdin-line", "", message_from<PubArgs, MessageSource::stdin_lines>},
    {"-r", "--retain", "", store_bool<PubArgs, &PubArgs::retain>},
    {"--repeat", "", "--repeat argument given but no count specified.", on_repeat},
    {"--repeat-delay", "", "--repeat-delay argument given but no time specified.", on_repeat_delay},
};

FlagResult on_sub_topic(SubArgs& a, std::string_view v) {
    if (auto stop = check_filter("-t", "subscription", v)) return stop;
    a.topics.emplace_back(v);
    return std::nullopt;
}

FlagResult on_filter_out(SubArgs& a, std::string_view v) {
    if (auto stop = check_filter("-T", "filter", v)) return stop;
    a.filter_outs.emplace_back(v);
    return std::nullopt;
}

FlagResult on_unsubscribe(SubArgs& a, std::string_view v) {
    if (auto stop = check_filter("-U", "unsubscribe", v)) return stop;
    a.unsub_topics.emplace_back(v);
    return std::nullopt;
}

FlagResult on_msg_count(SubArgs& a, std::string_view v) {
    a.msg_count = lenient_atoi(v);
    if (a.msg_count < 1) return fail(fmt::format("Error: Invalid message count \"{}\".\n\n", a.msg_count));
    return std::nullopt;
}

FlagResult on_retain_handling(SubArgs& a, std::string_view v) {
    int handling = lenient_atoi(v);
    if (handling < 0 || handling > 2 || v.empty() || !std::isdigit(static_cast<unsigned char>(v[0])))
        return fail(fmt::format("Error: Invalid retain handling \"{}\": use 0, 1 or 2.\n\n", v));
    a.retain_handling = static_cast<protocol::RetainHandling>(handling);
    return std::nullopt;
}

const Flag<SubArgs> kSubFlags[] = {
    {"-t", "--topic", "-t argument given but no topic specified.", on_sub_topic},
    {"-T", "--filter-out", "-T argument given but no topic filter specified.", on_filter_out},
    {"-U", "--unsubscribe", "-U argument given but no unsubscribe topic specified.", on_unsubscribe},
    {"-C", "", "-C argument given but no count specified.", on_msg_count},
    {"-E", "", "", store_bool<SubArgs, &SubArgs::exit_after_sub>},
    {"--retained-only", "", "", store_bool<SubArgs, &SubArgs::retained_only>},
    {"--retain-as-published", "", "", store_bool<SubArgs, &SubArgs::retain_as_published>},
    {"--no-local", "", "", store_bool<SubArgs, &SubArgs::no_local>},
    {"--retain-handling", "", "--retain-handling argument given but no value specified.", on_retain_handling},
};

FlagResult on_response_topic(RrArgs& a, std::string_view v) {
    if (auto stop = check_topic_name("-e", "response", v)) return stop;
    a.response_topic = std::string(v);
    return std::nullopt;
}

const Flag<RrArgs> kRrFlags[] = {
    {"-t", "--topic", "-t argument given but no topic specified.", on_publish_topic<RrArgs>},
    {"-e", "", "-e argument given but no response topic specified.", on_response_topic},
};

// Each tool's tables, bound to the arguments they fill in: what parse_X_args reads and accepted_flags lists.
constexpr auto kPubTables = [](PubArgs& a, auto&& use) {
    return use(flags_for(common_flags(), a.common), flags_for(message_flags<PubArgs>(), a),
               flags_for(std::span<const Flag<PubArgs>>(kPubFlags), a));
};

constexpr auto kSubTables = [](SubArgs& a, auto&& use) {
    return use(flags_for(common_flags(), a.common), flags_for(std::span<const Flag<SubArgs>>(kSubFlags), a),
               flags_for(receive_flags<SubArgs>(), a), flags_for(output_flags(), a.output));
};

constexpr auto kRrTables = [](RrArgs& a, auto&& use) {
    return use(flags_for(common_flags(), a.common), flags_for(message_flags<RrArgs>(), a),
               flags_for(output_flags(), a.output), flags_for(std::span<const Flag<RrArgs>>(kRrFlags), a),
               flags_for(receive_flags<RrArgs>(), a));
};

// Reads the words, then makes the checks every tool makes once all flags are read.
template <typename A, typename WithTables>
std::optional<ArgsStop> read_flags(std::span<const std::string> args, A& a, WithTables with_tables) {
    FlagReader reader(args);
    auto stop = with_tables(a, [&](auto... tables) { return reader.read(tables...); });
    if (stop) return stop;
    if (auto s = common_checks(a.common)) return s;
    default_tls_port(a.common);
    return std::nullopt;
}

template <typename A, typename WithTables>
std::vector<FlagSpelling> spellings(WithTables with_tables) {
    A unused;
    std::vector<FlagSpelling> out;
    with_tables(unused, [&](auto... tables) {
        auto add = [&](const auto& table) {
            for (const auto& flag : table.flags)
                out.push_back({flag.name, flag.alias, flag.missing});
        };
        (add(tables), ...);
    });
    return out;
}

}  // namespace

int lenient_atoi(std::string_view text) {
    // atoi's reading, saturated: lenient_atol already caps far beyond int's range.
    return static_cast<int>(std::clamp<long long>(lenient_atol(text), INT_MIN, INT_MAX));
}

std::string default_client_id(std::string_view prefix, long pid, std::string_view host) {
    auto id = fmt::format("{}|{}-{}", prefix, pid, host);
    if (id.size() > 23) id.resize(23);
    return id;
}

std::expected<PubArgs, ArgsStop> parse_pub_args(std::span<const std::string> args) {
    PubArgs a;
    if (auto stop = read_flags(args, a, kPubTables)) return std::unexpected(*stop);
    if (!a.topic || a.source == MessageSource::none) {
        return std::unexpected(
            ArgsStop{ArgsStop::Kind::error_with_usage, "Error: Both topic and message must be supplied.\n"});
    }
    return a;
}

std::expected<SubArgs, ArgsStop> parse_sub_args(std::span<const std::string> args) {
    SubArgs a;
    if (auto stop = read_flags(args, a, kSubTables)) return std::unexpected(*stop);
    if (a.topics.empty() && a.unsub_topics.empty()) {
        return std::unexpected(fail("Error: You must specify a topic to subscribe to.\n"));
    }
    return a;
}

std::expected<RrArgs, ArgsStop> parse_rr_args(std::span<const std::string> args) {
    RrArgs a;
    a.common.version = protocol::ProtocolVersion::v5;
    if (auto stop = read_flags(args, a, kRrTables)) return std::unexpected(*stop);
    if (!a.topic || a.source == MessageSource::none || !a.response_topic) {
        return std::unexpected(fail("Error: All of topic, message, and response topic must be supplied.\n"));
    }
    return a;
}

std::vector<FlagSpelling> accepted_flags(ClientTool tool) {
    switch (tool) {
        case ClientTool::pub:
            return spellings<PubArgs>(kPubTables);
        case ClientTool::sub:
            return spellings<SubArgs>(kSubTables);
        case ClientTool::rr:
            return spellings<RrArgs>(kRrTables);
    }
    return {};
}

}  // namespace culex::client
