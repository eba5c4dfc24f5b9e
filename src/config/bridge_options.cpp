// The bridge options of mosquitto.conf(5): `connection NAME` starts a bridge, the options after it configure
// it, and the resolution at the end of the file fills in the defaults that depend on other options.
#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <climits>

#include "config/option_handlers.hpp"
#include "protocol/topic.hpp"

namespace culex::config::parsing {

namespace {

// A bridge option outside any bridge: Mosquitto refuses the file too.
std::expected<BridgeConfig*, std::string> current_bridge(Parser& p, const Line& l) {
    if (!p.in_bridge || p.config.bridges.empty())
        return std::unexpected(fmt::format(
            "'{}' is a bridge option, but no 'connection NAME' line comes before it: start the bridge with "
            "'connection NAME' and put its options below",
            l.option));
    return &p.config.bridges.back();
}

// `""` is mosquitto.conf's placeholder for an empty pattern or prefix.
std::string_view unquote_placeholder(std::string_view word) {
    return word == "\"\"" ? std::string_view{} : word;
}

std::expected<BridgeAddress, std::string> parse_address(std::string_view option, std::string_view word) {
    BridgeAddress address;
    std::string_view host = word;
    std::string_view port;
    if (word.starts_with('[')) {  // [::1]:1883
        auto close = word.find(']');
        if (close == std::string_view::npos)
            return std::unexpected(
                fmt::format("'{}' has '{}' without its closing ']': write [IPV6]:PORT", option, word));
        host = word.substr(1, close - 1);
        if (close + 1 < word.size()) {
            if (word[close + 1] != ':')
                return std::unexpected(fmt::format("'{}': '{}' needs ':' after ']'", option, word));
            port = word.substr(close + 2);
        }
    } else if (auto colon = word.rfind(':'); colon != std::string_view::npos) {
        if (word.find(':') != colon)
            return std::unexpected(
                fmt::format("'{}': '{}' looks like an IPv6 address; write it as [ADDRESS]:PORT "
                            "(mosquitto.conf(5): for IPv6 "
                            "the port is not optional)",
                            option, word));
        host = word.substr(0, colon);
        port = word.substr(colon + 1);
    }
    if (host.empty()) return std::unexpected(fmt::format("'{}': '{}' has no host", option, word));
    address.host = std::string(host);
    if (!port.empty()) {
        auto number = parse_integer(option, port, 1, 65535);
        if (!number) return std::unexpected(number.error());
        address.port = static_cast<std::uint16_t>(*number);
    }
    return address;
}

Result on_connection(Parser& p, const Line& l) {
    auto name = word_value(l);
    if (!name) return std::unexpected(name.error());
    for (const auto& bridge : p.config.bridges)
        if (bridge.name == *name)
            return std::unexpected(fmt::format(
                "bridge '{}' is defined twice (first at {}:{}): give each 'connection' its own name", *name,
                bridge.source_file, bridge.source_line));
    BridgeConfig bridge;
    bridge.name = std::string(*name);
    bridge.source_file = p.file;
    bridge.source_line = p.line;
    p.config.bridges.push_back(std::move(bridge));
    p.in_bridge = true;
    return {};
}

Result on_address(Parser& p, const Line& l) {
    auto bridge = current_bridge(p, l);
    if (!bridge) return std::unexpected(bridge.error());
    if (auto ok = count_words(l, 1, 64); !ok) return ok;
    for (auto word : l.words) {
        auto address = parse_address(l.option, word);
        if (!address) return std::unexpected(address.error());
        (*bridge)->addresses.push_back(std::move(*address));
    }
    return {};
}

std::expected<BridgeDirection, std::string> direction_of(std::string_view word) {
    constexpr std::array<std::pair<std::string_view, BridgeDirection>, 3> kChoices{
        {{"out", BridgeDirection::out}, {"in", BridgeDirection::in}, {"both", BridgeDirection::both}}};
    for (const auto& [name, value] : kChoices)
        if (name == word) return value;
    return std::unexpected(fmt::format("'topic' direction must be out, in or both, got '{}'", word));
}

Result check_prefix(std::string_view which, std::string_view prefix) {
    if (prefix.empty()) return {};
    if (!protocol::is_valid_utf8(prefix) || protocol::contains_wildcard(prefix))
        return std::unexpected(fmt::format(
            "'topic' {} prefix '{}' is not valid: a prefix is the start of a topic name, without '+' or '#'",
            which, prefix));
    return {};
}

Result add_topic(BridgeConfig& bridge, const Line& l);

Result on_topic(Parser& p, const Line& l) {
    auto bridge = current_bridge(p, l);
    if (!bridge) return std::unexpected(bridge.error());
    // '#' is the usual pattern here, not the start of a comment (mosquitto.conf has no inline comments).
    Line whole = l;
    whole.words.clear();
    for (std::string_view rest = l.rest; !rest.empty();) {
        std::size_t end = 0;
        while (end < rest.size() && !is_blank(rest[end]))
            ++end;
        whole.words.push_back(rest.substr(0, end));
        rest = trim(rest.substr(end));
    }
    if (auto ok = count_words(whole, 1, 5); !ok) return ok;
    return add_topic(**bridge, whole);
}

Result add_topic(BridgeConfig& bridge, const Line& l) {
    BridgeTopic topic;
    topic.pattern = std::string(unquote_placeholder(l.words[0]));
    if (l.words.size() >= 2) {
        auto direction = direction_of(l.words[1]);
        if (!direction) return std::unexpected(direction.error());
        topic.direction = *direction;
    }
    if (l.words.size() >= 3) {
        auto qos = parse_integer("topic QoS", l.words[2], 0, 2);
        if (!qos) return std::unexpected(qos.error());
        topic.qos = static_cast<std::uint8_t>(*qos);
    }
    if (l.words.size() == 4)
        return std::unexpected(fmt::format(
            "'topic' has a local prefix but no remote prefix: give both (\"\" for an empty one), as in '{}'",
            l.usage));
    if (l.words.size() == 5) {
        topic.local_prefix = std::string(unquote_placeholder(l.words[3]));
        topic.remote_prefix = std::string(unquote_placeholder(l.words[4]));
    }
    if (auto ok = check_prefix("local", topic.local_prefix); !ok) return ok;
    if (auto ok = check_prefix("remote", topic.remote_prefix); !ok) return ok;
    if (topic.pattern.empty()) {
        // mosquitto.conf(5)'s table: an empty pattern maps one local topic to one remote topic, so it needs
        // both prefixes.
        if (topic.local_prefix.empty() || topic.remote_prefix.empty())
            return std::unexpected(
                "'topic \"\"' needs a local and a remote prefix (it maps the one topic LOCAL_PREFIX to the "
                "one "
                "topic REMOTE_PREFIX); give both, or a pattern such as '#'");
    } else {
        std::string local = topic.local_prefix + topic.pattern;
        std::string remote = topic.remote_prefix + topic.pattern;
        if (!protocol::is_valid_topic_filter(local) || !protocol::is_valid_topic_filter(remote) ||
            protocol::parse_shared_filter(local))
            return std::unexpected(
                fmt::format("'topic' pattern '{}' is not a valid topic filter with its prefixes ('{}' "
                            "locally, '{}' on the "
                            "remote): '+' and '#' must stand alone in their level, '#' last",
                            topic.pattern, local, remote));
    }
    bridge.topics.push_back(std::move(topic));
    return {};
}

Result on_protocol_version(Parser& p, const Line& l) {
    auto bridge = current_bridge(p, l);
    if (!bridge) return std::unexpected(bridge.error());
    constexpr std::array<std::pair<std::string_view, BridgeProtocol>, 3> kChoices{
        {{"mqttv311", BridgeProtocol::mqttv311},
         {"mqttv31", BridgeProtocol::mqttv31},
         {"mqttv50", BridgeProtocol::mqttv50}}};
    return set_choice(l, (*bridge)->protocol, kChoices);
}

Result on_start_type(Parser& p, const Line& l) {
    auto bridge = current_bridge(p, l);
    if (!bridge) return std::unexpected(bridge.error());
    constexpr std::array<std::pair<std::string_view, BridgeStartType>, 3> kChoices{
        {{"automatic", BridgeStartType::automatic},
         {"lazy", BridgeStartType::lazy},
         {"once", BridgeStartType::once}}};
    return set_choice(l, (*bridge)->start_type, kChoices);
}

Result on_restart_timeout(Parser& p, const Line& l) {
    auto bridge = current_bridge(p, l);
    if (!bridge) return std::unexpected(bridge.error());
    if (auto ok = count_words(l, 1, 2); !ok) return ok;
    auto base = parse_integer("restart_timeout", l.words[0], 1, 86400);
    if (!base) return std::unexpected(base.error());
    (*bridge)->restart_base_seconds = static_cast<std::uint32_t>(*base);
    (*bridge)->restart_cap_seconds.reset();
    if (l.words.size() == 2) {
        auto cap = parse_integer("restart_timeout cap", l.words[1], 1, 86400);
        if (!cap) return std::unexpected(cap.error());
        if (*cap < *base)
            return std::unexpected(fmt::format(
                "'restart_timeout {} {}': the cap is below the base; write BASE CAP with BASE <= CAP", *base,
                *cap));
        (*bridge)->restart_cap_seconds = static_cast<std::uint32_t>(*cap);
    }
    return {};
}

Result on_bridge_max_packet_size(Parser& p, const Line& l) {
    auto bridge = current_bridge(p, l);
    if (!bridge) return std::unexpected(bridge.error());
    return set_integer(l, (*bridge)->max_packet_size, 0, 268435460);
}

Result on_keepalive_interval(Parser& p, const Line& l) {
    auto bridge = current_bridge(p, l);
    if (!bridge) return std::unexpected(bridge.error());
    return set_integer(l, (*bridge)->keepalive_interval, 5, 65535);
}

template <std::optional<std::uint32_t> BridgeConfig::*Field>
Result on_bridge_count(Parser& p, const Line& l) {
    auto bridge = current_bridge(p, l);
    if (!bridge) return std::unexpected(bridge.error());
    std::uint32_t value = 0;
    if (auto ok = set_integer(l, value, 1, 0x7FFFFFFF); !ok) return ok;
    (*bridge)->*Field = value;
    return {};
}

template <bool BridgeConfig::*Field>
Result on_bridge_bool(Parser& p, const Line& l) {
    auto bridge = current_bridge(p, l);
    if (!bridge) return std::unexpected(bridge.error());
    return set_bool(l, (*bridge)->*Field);
}

template <std::string BridgeConfig::*Field>
Result on_bridge_word(Parser& p, const Line& l) {
    auto bridge = current_bridge(p, l);
    if (!bridge) return std::unexpected(bridge.error());
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    (*bridge)->*Field = std::string(*word);
    return {};
}

template <std::optional<std::string> BridgeConfig::*Field>
Result on_bridge_optional_text(Parser& p, const Line& l) {
    auto bridge = current_bridge(p, l);
    if (!bridge) return std::unexpected(bridge.error());
    auto text = text_value(l);
    if (!text) return std::unexpected(text.error());
    (*bridge)->*Field = std::move(*text);
    return {};
}

Result on_local_login(Parser& p, const Line& l) {
    auto bridge = current_bridge(p, l);
    if (!bridge) return std::unexpected(bridge.error());
    auto text = text_value(l);
    if (!text) return std::unexpected(text.error());
    auto& field = l.option == "local_username" ? (*bridge)->local_username : (*bridge)->local_password;
    field = std::move(*text);
    if (l.option == "local_username" || (*bridge)->local_login_line == 0)
        (*bridge)->local_login_line = p.line;
    return {};
}

Result on_bridge_bind_address(Parser& p, const Line& l) {
    auto bridge = current_bridge(p, l);
    if (!bridge) return std::unexpected(bridge.error());
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    std::string address(*word);
    unsigned char parsed[16];
    if (::inet_pton(AF_INET, address.c_str(), parsed) != 1 &&
        ::inet_pton(AF_INET6, address.c_str(), parsed) != 1)
        return std::unexpected(fmt::format(
            "'bridge_bind_address {}' is not an IP address: give the local IPv4 or IPv6 address the bridge "
            "connects from (a host name is not resolved here)",
            *word));
    (*bridge)->bind_address = std::move(address);
    return {};
}

Result on_local_cleansession(Parser& p, const Line& l) {
    auto bridge = current_bridge(p, l);
    if (!bridge) return std::unexpected(bridge.error());
    bool value = false;
    if (auto ok = set_bool(l, value); !ok) return ok;
    (*bridge)->local_clean_session = value;
    return {};
}

Result on_notification_topic(Parser& p, const Line& l) {
    auto bridge = current_bridge(p, l);
    if (!bridge) return std::unexpected(bridge.error());
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    if (!protocol::is_valid_topic_name(*word))
        return std::unexpected(fmt::format(
            "'notification_topic {}' is not a valid topic name: no '+' or '#', not empty", *word));
    (*bridge)->notification_topic = std::string(*word);
    return {};
}

template <std::string BridgeTls::*Field>
Result on_bridge_tls_text(Parser& p, const Line& l) {
    auto bridge = current_bridge(p, l);
    if (!bridge) return std::unexpected(bridge.error());
    return set_text(l, (*bridge)->tls.*Field);
}

Result on_bridge_insecure(Parser& p, const Line& l) {
    auto bridge = current_bridge(p, l);
    if (!bridge) return std::unexpected(bridge.error());
    return set_bool(l, (*bridge)->tls.insecure);
}

Result on_bridge_tls_version(Parser& p, const Line& l) {
    auto bridge = current_bridge(p, l);
    if (!bridge) return std::unexpected(bridge.error());
    auto value = tls_version_value(l);
    if (!value) return std::unexpected(value.error());
    (*bridge)->tls.min_version = *value;
    return {};
}

// A TLS option without bridge_cafile/bridge_capath would be ignored (TLS is off) and the bridge would go out
// in clear: refused instead.
std::optional<std::string> check_bridge_tls(const BridgeConfig& bridge) {
    const BridgeTls& tls = bridge.tls;
    if (tls.certfile.empty() != tls.keyfile.empty())
        return fmt::format("bridge '{}' has {} without {}: give bridge_certfile and bridge_keyfile together",
                           bridge.name, tls.certfile.empty() ? "bridge_keyfile" : "bridge_certfile",
                           tls.certfile.empty() ? "bridge_certfile" : "bridge_keyfile");
    if (tls.enabled()) return std::nullopt;
    bool other = !tls.certfile.empty() || tls.insecure || tls.min_version || !tls.ciphers.empty() ||
                 !tls.ciphers_tls13.empty() || !tls.alpn.empty();
    if (!other) return std::nullopt;
    return fmt::format(
        "bridge '{}' has TLS options but neither bridge_cafile nor bridge_capath, so it would connect "
        "without TLS: add bridge_cafile (the CA that issued the remote's certificate) or bridge_capath",
        bridge.name);
}

std::string host_name() {
    char name[HOST_NAME_MAX + 1] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
    return name;
}

}  // namespace

void add_bridge_options(std::vector<OptionSpec>& specs) {
    const OptionSpec bridge_specs[] = {
        {"connection", "connection NAME", on_connection},
        {"address", "address HOST[:PORT] [HOST[:PORT] ...]", on_address},
        {"addresses", "addresses HOST[:PORT] [HOST[:PORT] ...]", on_address},
        {"topic", "topic PATTERN [out|in|both [QOS [LOCAL_PREFIX REMOTE_PREFIX]]]", on_topic},
        {"bridge_protocol_version", "bridge_protocol_version mqttv311|mqttv31|mqttv50", on_protocol_version},
        {"cleansession", "cleansession true|false", on_bridge_bool<&BridgeConfig::clean_session>},
        {"local_cleansession", "local_cleansession true|false", on_local_cleansession},
        {"remote_clientid", "remote_clientid ID", on_bridge_word<&BridgeConfig::remote_clientid>},
        {"clientid", "clientid ID (the old spelling of remote_clientid)",
         on_bridge_word<&BridgeConfig::remote_clientid>},
        {"local_clientid", "local_clientid ID", on_bridge_word<&BridgeConfig::local_clientid>},
        {"remote_username", "remote_username NAME", on_bridge_optional_text<&BridgeConfig::remote_username>},
        {"username", "username NAME (the old spelling of remote_username)",
         on_bridge_optional_text<&BridgeConfig::remote_username>},
        {"remote_password", "remote_password PASSWORD",
         on_bridge_optional_text<&BridgeConfig::remote_password>},
        {"password", "password PASSWORD (the old spelling of remote_password)",
         on_bridge_optional_text<&BridgeConfig::remote_password>},
        {"local_username", "local_username NAME", on_local_login},
        {"local_password", "local_password PASSWORD", on_local_login},
        {"bridge_bind_address", "bridge_bind_address ADDRESS", on_bridge_bind_address},
        {"keepalive_interval", "keepalive_interval SECONDS (5 or more)", on_keepalive_interval},
        {"restart_timeout", "restart_timeout SECONDS | restart_timeout BASE CAP", on_restart_timeout},
        {"try_private", "try_private true|false", on_bridge_bool<&BridgeConfig::try_private>},
        {"notifications", "notifications true|false", on_bridge_bool<&BridgeConfig::notifications>},
        {"notification_topic", "notification_topic TOPIC", on_notification_topic},
        {"notifications_local_only", "notifications_local_only true|false",
         on_bridge_bool<&BridgeConfig::notifications_local_only>},
        {"bridge_outgoing_retain", "bridge_outgoing_retain true|false",
         on_bridge_bool<&BridgeConfig::outgoing_retain>},
        {"bridge_attempt_unsubscribe", "bridge_attempt_unsubscribe true|false",
         on_bridge_bool<&BridgeConfig::attempt_unsubscribe>},
        {"round_robin", "round_robin true|false", on_bridge_bool<&BridgeConfig::round_robin>},
        {"start_type", "start_type automatic|lazy|once", on_start_type},
        {"threshold", "threshold COUNT (start_type lazy)", on_bridge_count<&BridgeConfig::threshold>},
        {"idle_timeout", "idle_timeout SECONDS (start_type lazy)",
         on_bridge_count<&BridgeConfig::idle_timeout>},
        {"bridge_max_packet_size", "bridge_max_packet_size BYTES (0: no limit)", on_bridge_max_packet_size},
        {"bridge_cafile", "bridge_cafile FILE", on_bridge_tls_text<&BridgeTls::cafile>},
        {"bridge_capath", "bridge_capath DIRECTORY", on_bridge_tls_text<&BridgeTls::capath>},
        {"bridge_certfile", "bridge_certfile FILE", on_bridge_tls_text<&BridgeTls::certfile>},
        {"bridge_keyfile", "bridge_keyfile FILE", on_bridge_tls_text<&BridgeTls::keyfile>},
        {"bridge_insecure", "bridge_insecure true|false", on_bridge_insecure},
        {"bridge_tls_version", "bridge_tls_version tlsv1.3|tlsv1.2|tlsv1.1", on_bridge_tls_version},
        {"bridge_ciphers", "bridge_ciphers CIPHER-LIST", on_bridge_tls_text<&BridgeTls::ciphers>},
        {"bridge_ciphers_tls1.3", "bridge_ciphers_tls1.3 CIPHERSUITES",
         on_bridge_tls_text<&BridgeTls::ciphers_tls13>},
        {"bridge_alpn", "bridge_alpn PROTOCOL", on_bridge_tls_text<&BridgeTls::alpn>},
    };
    specs.insert(specs.end(), std::begin(bridge_specs), std::end(bridge_specs));
}

std::expected<void, ConfigError> resolve_bridges(Config& config) {
    for (auto& bridge : config.bridges) {
        auto at = [&](std::string message) {
            return std::unexpected(ConfigError{bridge.source_file, bridge.source_line, std::move(message)});
        };
        if (bridge.addresses.empty())
            return at(
                fmt::format("bridge '{}' has no address: add 'address HOST[:PORT]' below its 'connection' "
                            "line",
                            bridge.name));
        if (bridge.topics.empty())
            return at(
                fmt::format("bridge '{}' has no topic, so it would carry nothing: add 'topic PATTERN "
                            "[out|in|both [QOS [LOCAL_PREFIX REMOTE_PREFIX]]]' below its 'connection' line",
                            bridge.name));
        if (bridge.remote_password && !bridge.remote_username)
            return at(
                fmt::format("bridge '{}' has remote_password without remote_username: add "
                            "remote_username (MQTT sends no password without a user name)",
                            bridge.name));
        if (bridge.local_password && !bridge.local_username)
            return at(fmt::format(
                "bridge '{}' has local_password without local_username: add local_username (the user the "
                "bridge is on this broker), or remove local_password",
                bridge.name));
        if (auto refused = check_bridge_tls(bridge)) return at(std::move(*refused));
        if (!bridge.lazy() && (bridge.threshold || bridge.idle_timeout))
            config.warnings.push_back(
                {bridge.source_file, bridge.source_line,
                 fmt::format("bridge '{}' has {} but is not 'start_type lazy': it applies to lazy bridges "
                             "only, so it is ignored; add 'start_type lazy' or remove the line",
                             bridge.name, bridge.threshold ? "threshold" : "idle_timeout")});
        if (bridge.remote_clientid.empty()) bridge.remote_clientid = host_name() + "." + bridge.name;
        if (bridge.local_clientid.empty()) bridge.local_clientid = "local." + bridge.remote_clientid;
        if (bridge.local_clientid == bridge.remote_clientid)
            config.warnings.push_back(
                {bridge.source_file, bridge.source_line,
                 fmt::format("bridge '{}' uses '{}' as both its local and remote client id: a bridge to this "
                             "same broker would then take its own session over; set local_clientid",
                             bridge.name, bridge.local_clientid)});
        if (bridge.notification_topic.empty())
            bridge.notification_topic = "$SYS/broker/connection/" + bridge.remote_clientid + "/state";
    }
    return {};
}

}  // namespace culex::config::parsing
