#include "client/args.hpp"

#include <fmt/format.h>

#include <cctype>
#include <climits>
#include <cstdlib>
#include <functional>

#include "client/format.hpp"
#include "protocol/topic.hpp"

namespace culex::client {

namespace {

enum class Tool { pub, sub, rr };

ArgsStop fail(std::string message) {
    return ArgsStop{ArgsStop::Kind::error, std::move(message)};
}

// A subscription filter as libmosquitto checks it: '+' alone in its level, '#' alone and last.
bool valid_filter(std::string_view filter) {
    return protocol::is_valid_topic_filter(filter);
}

bool valid_topic(std::string_view topic) {
    return protocol::is_valid_topic_name(topic);
}

// Walks argv as Mosquitto does: one flag at a time, its value the next word, first problem wins.
class Parser {
  public:
    Parser(Tool tool, std::span<const std::string> args) : tool_(tool), args_(args) {}

    // Returns nullopt when every word was taken; `handle` consumes one flag.
    template <typename Handle>
    std::optional<ArgsStop> run(Handle&& handle) {
        for (i_ = 0; i_ < args_.size(); ++i_) {
            if (auto stop = handle(args_[i_])) return stop;
        }
        return std::nullopt;
    }

    // The value after the current flag, or the "given but no X specified" error.
    std::expected<std::string_view, ArgsStop> value(std::string_view missing) {
        if (i_ + 1 >= args_.size()) return std::unexpected(fail(fmt::format("Error: {}\n\n", missing)));
        return std::string_view(args_[++i_]);
    }

    // The words after the current flag, for flags that take several (-D); skip() consumes them.
    std::span<const std::string> rest() const { return args_.subspan(i_ + 1); }
    void skip(std::size_t n) { i_ += n; }

    ArgsStop unknown(std::string_view flag) const {
        return ArgsStop{ArgsStop::Kind::error, fmt::format("Error: Unknown option '{}'.\n", flag)};
    }

    Tool tool() const { return tool_; }

  private:
    Tool tool_;
    std::span<const std::string> args_;
    std::size_t i_ = 0;
};

// The flags common to pub and sub. Returns: nullopt if `flag` is not a common flag, else an optional stop.
std::optional<std::optional<ArgsStop>> common_flag(Parser& p, std::string_view flag, CommonArgs& c) {
    using R = std::optional<std::optional<ArgsStop>>;
    auto done = R(std::optional<ArgsStop>());
    auto stop = [](ArgsStop s) { return R(std::optional<ArgsStop>(std::move(s))); };
    auto take = [&](std::string_view missing) { return p.value(missing); };

    if (flag == "-h" || flag == "--host") {
        auto v = take("-h argument given but no host specified.");
        if (!v) return stop(v.error());
        c.host = std::string(*v);
    } else if (flag == "-p" || flag == "--port") {
        auto v = take("-p argument given but no port specified.");
        if (!v) return stop(v.error());
        c.port = lenient_atoi(*v);
        c.port_given = true;
        if (c.port < 0 || c.port > 65535)
            return stop(fail(fmt::format("Error: Invalid port given: {}\n", c.port)));
    } else if (flag == "-i" || flag == "--id") {
        if (c.id_prefix) return stop(fail("Error: -i and -I argument cannot be used together.\n\n"));
        auto v = take("-i argument given but no id specified.");
        if (!v) return stop(v.error());
        c.id = std::string(*v);
    } else if (flag == "-I" || flag == "--id-prefix") {
        if (c.id) return stop(fail("Error: -i and -I argument cannot be used together.\n\n"));
        auto v = take("-I argument given but no id prefix specified.");
        if (!v) return stop(v.error());
        c.id_prefix = std::string(*v);
    } else if (flag == "-k" || flag == "--keepalive") {
        auto v = take("-k argument given but no keepalive specified.");
        if (!v) return stop(v.error());
        c.keepalive = lenient_atoi(*v);
        if (c.keepalive < 5 || c.keepalive > 65535) {
            return stop(
                fail("Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.\n\n"));
        }
    } else if (flag == "-c" || flag == "--disable-clean-session") {
        c.clean_session = false;
    } else if (flag == "-d" || flag == "--debug") {
        c.debug = true;
    } else if (flag == "--quiet") {
        c.quiet = true;
    } else if (flag == "-u" || flag == "--username") {
        auto v = take("-u argument given but no username specified.");
        if (!v) return stop(v.error());
        c.username = std::string(*v);
    } else if (flag == "-P" || flag == "--pw") {
        auto v = take("-P argument given but no password specified.");
        if (!v) return stop(v.error());
        c.password = std::string(*v);
    } else if (flag == "-q" || flag == "--qos") {
        auto v = take("-q argument given but no QoS specified.");
        if (!v) return stop(v.error());
        c.qos = lenient_atoi(*v);
        if (c.qos < 0 || c.qos > 2) return stop(fail(fmt::format("Error: Invalid QoS given: {}\n", c.qos)));
    } else if (flag == "-M") {
        auto v = take("-M argument given but max_inflight not specified.");
        if (!v) return stop(v.error());
        c.max_inflight = lenient_atoi(*v);
        if (c.max_inflight < 1)
            return stop(fail("Error: Maximum inflight messages must be greater than 0.\n\n"));
        if (c.max_inflight > 65535) c.max_inflight = 65535;
    } else if (flag == "-V" || flag == "--protocol-version") {
        auto v = take("--protocol-version argument given but no version specified.");
        if (!v) return stop(v.error());
        if (*v == "mqttv31" || *v == "31") {
            c.version = protocol::ProtocolVersion::v31;
        } else if (*v == "mqttv311" || *v == "311") {
            c.version = protocol::ProtocolVersion::v311;
        } else if (*v == "mqttv5" || *v == "5") {
            c.version = protocol::ProtocolVersion::v5;
        } else {
            return stop(fail("Error: Invalid protocol version argument given.\n\n"));
        }
    } else if (flag == "-D" || flag == "--property") {
        std::string error;
        auto taken = parse_property_arg(p.rest(), c.properties, error);
        if (!taken) return stop(fail(std::move(error)));
        p.skip(*taken);
        c.version = protocol::ProtocolVersion::v5;  // as Mosquitto: -D makes an MQTT 5 client
    } else if (flag == "-x") {
        auto v = take("-x argument given but no session expiry interval specified.");
        if (!v) return stop(v.error());
        if (*v == "\u221e") {  // "∞"
            c.session_expiry = 0xFFFFFFFFu;
        } else {
            std::string text(*v);
            char* end = nullptr;
            long long value = std::strtoll(text.c_str(), &end, 0);
            if (end == text.c_str() || *end != '\0')
                return stop(fail("Error: session-expiry-interval not a number.\n\n"));
            if (value == -1) value = 0xFFFFFFFFLL;
            if (value < -1 || value > 0xFFFFFFFFLL)
                return stop(fail("Error: session-expiry-interval out of range.\n\n"));
            c.session_expiry = static_cast<std::uint32_t>(value);
        }
    } else if (flag == "--will-topic") {
        auto v = take("--will-topic argument given but no will topic specified.");
        if (!v) return stop(v.error());
        if (!protocol::is_valid_utf8(*v))
            return stop(fail("Error: Malformed UTF-8 in --will-topic argument.\n\n"));
        if (!valid_topic(*v)) {
            return stop(
                fail(fmt::format("Error: Invalid will topic '{}', does it contain '+' or '#'?\n", *v)));
        }
        c.will_topic = std::string(*v);
    } else if (flag == "--will-payload") {
        auto v = take("--will-payload argument given but no will payload specified.");
        if (!v) return stop(v.error());
        c.will_payload = std::string(*v);
    } else if (flag == "--will-qos") {
        auto v = take("--will-qos argument given but no will QoS specified.");
        if (!v) return stop(v.error());
        c.will_qos = lenient_atoi(*v);
        if (c.will_qos < 0 || c.will_qos > 2) {
            return stop(fail(fmt::format("Error: Invalid will QoS {}.\n\n", c.will_qos)));
        }
    } else if (flag == "--will-retain") {
        c.will_retain = true;
    } else if (flag == "--cafile") {
        auto v = take("--cafile argument given but no file specified.");
        if (!v) return stop(v.error());
        c.cafile = std::string(*v);
    } else if (flag == "--capath") {
        auto v = take("--capath argument given but no directory specified.");
        if (!v) return stop(v.error());
        c.capath = std::string(*v);
    } else if (flag == "--cert") {
        auto v = take("--cert argument given but no file specified.");
        if (!v) return stop(v.error());
        c.certfile = std::string(*v);
    } else if (flag == "--key") {
        auto v = take("--key argument given but no file specified.");
        if (!v) return stop(v.error());
        c.keyfile = std::string(*v);
    } else if (flag == "--ciphers") {
        auto v = take("--ciphers argument given but no ciphers specified.");
        if (!v) return stop(v.error());
        c.ciphers = std::string(*v);
    } else if (flag == "--tls-alpn") {
        auto v = take("--tls-alpn argument given but no protocol specified.");
        if (!v) return stop(v.error());
        c.tls_alpn = std::string(*v);
    } else if (flag == "--tls-version") {
        auto v = take("--tls-version argument given but no version specified.");
        if (!v) return stop(v.error());
        if (*v != "tlsv1.3" && *v != "tlsv1.2" && *v != "tlsv1.1") {
            return stop(
                fail(fmt::format("Error: Problem setting TLS options: Invalid function arguments provided.\n"
                                 "(--tls-version \"{}\": use tlsv1.3, tlsv1.2 or tlsv1.1)\n",
                                 *v)));
        }
        c.tls_version = std::string(*v);
    } else if (flag == "--insecure") {
        c.insecure = true;
    } else if (flag == "--tls-use-os-certs") {
        c.tls_use_os_certs = true;
    } else if (flag == "--help") {
        return stop(ArgsStop{ArgsStop::Kind::help, {}});
    } else if (flag == "--version") {
        return stop(ArgsStop{ArgsStop::Kind::version, {}});
    } else {
        return std::nullopt;
    }
    return done;
}

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

// -F and --pretty, which sub and rr share. Same shape as common_flag.
std::optional<std::optional<ArgsStop>> output_flag(Parser& p, std::string_view flag, OutputOptions& o) {
    using R = std::optional<std::optional<ArgsStop>>;
    if (flag == "-F") {
        auto v = p.value("-F argument given but no format specified.");
        if (!v) return R(v.error());
        if (auto problem = check_format(*v)) return R(fail(std::move(*problem)));
        o.format = std::string(*v);
        return R(std::optional<ArgsStop>());
    }
    if (flag == "--pretty") {
        o.pretty = true;
        return R(std::optional<ArgsStop>());
    }
    return std::nullopt;
}

template <typename A>
std::optional<ArgsStop> set_source(A& a, MessageSource source) {
    if (a.source != MessageSource::none)
        return fail("Error: Only one type of message can be sent at once.\n\n");
    a.source = source;
    return std::nullopt;
}

// The message flags pub and rr share (-m -f -s -n; pub also has -l). Same shape as common_flag.
template <typename A>
std::optional<std::optional<ArgsStop>> message_flag(Parser& p, std::string_view flag, A& a) {
    using R = std::optional<std::optional<ArgsStop>>;
    auto done = R(std::optional<ArgsStop>());
    if (flag == "-m" || flag == "--message") {
        if (auto s = set_source(a, MessageSource::message)) return R(s);
        auto v = p.value("-m argument given but no message specified.");
        if (!v) return R(v.error());
        a.message = std::string(*v);
    } else if (flag == "-f" || flag == "--file") {
        if (auto s = set_source(a, MessageSource::file)) return R(s);
        auto v = p.value("-f argument given but no file specified.");
        if (!v) return R(v.error());
        a.file = std::string(*v);
    } else if (flag == "-s" || flag == "--stdin-file") {
        if (auto s = set_source(a, MessageSource::stdin_whole)) return R(s);
    } else if (flag == "-n" || flag == "--null-message") {
        if (auto s = set_source(a, MessageSource::null_message)) return R(s);
    } else {
        return std::nullopt;
    }
    return done;
}

}  // namespace

int lenient_atoi(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
        ++i;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    long long value = 0;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
        value = value * 10 + (text[i] - '0');
        if (value > INT_MAX) value = static_cast<long long>(INT_MAX) + 1;  // saturate: out of every range
    }
    value = negative ? -value : value;
    if (value > INT_MAX) return INT_MAX;
    if (value < INT_MIN) return INT_MIN;
    return static_cast<int>(value);
}

std::string default_client_id(std::string_view prefix, long pid, std::string_view host) {
    auto id = fmt::format("{}|{}-{}", prefix, pid, host);
    if (id.size() > 23) id.resize(23);
    return id;
}

std::expected<PubArgs, ArgsStop> parse_pub_args(std::span<const std::string> args) {
    PubArgs a;
    Parser p(Tool::pub, args);
    auto stop = p.run([&](std::string_view flag) -> std::optional<ArgsStop> {
        if (auto common = common_flag(p, flag, a.common)) return *common;
        if (flag == "-t" || flag == "--topic") {
            auto v = p.value("-t argument given but no topic specified.");
            if (!v) return v.error();
            if (!protocol::is_valid_utf8(*v)) return fail("Error: Malformed UTF-8 in -t argument.\n\n");
            if (!valid_topic(*v)) {
                return fail(
                    fmt::format("Error: Invalid publish topic '{}', does it contain '+' or '#'?\n", *v));
            }
            a.topic = std::string(*v);
        } else if (auto m = message_flag(p, flag, a)) {
            if (*m) return *m;
        } else if (flag == "-l" || flag == "--stdin-line") {
            if (auto s = set_source(a, MessageSource::stdin_lines)) return s;
        } else if (flag == "-r" || flag == "--retain") {
            a.retain = true;
        } else if (flag == "--repeat") {
            auto v = p.value("--repeat argument given but no count specified.");
            if (!v) return v.error();
            a.repeat_count = lenient_atoi(*v);
            if (a.repeat_count < 1) return fail("Error: --repeat argument must be >0.\n\n");
        } else if (flag == "--repeat-delay") {
            auto v = p.value("--repeat-delay argument given but no time specified.");
            if (!v) return v.error();
            a.repeat_delay_seconds = std::atof(std::string(*v).c_str());
            if (a.repeat_delay_seconds < 0) return fail("Error: --repeat-delay argument must be >=0.0.\n\n");
        } else {
            return p.unknown(flag);
        }
        return std::nullopt;
    });
    if (stop) return std::unexpected(*stop);
    if (auto s = common_checks(a.common)) return std::unexpected(*s);
    default_tls_port(a.common);
    if (!a.topic || a.source == MessageSource::none) {
        return std::unexpected(
            ArgsStop{ArgsStop::Kind::error_with_usage, "Error: Both topic and message must be supplied.\n"});
    }
    return a;
}

std::expected<SubArgs, ArgsStop> parse_sub_args(std::span<const std::string> args) {
    SubArgs a;
    Parser p(Tool::sub, args);
    auto stop = p.run([&](std::string_view flag) -> std::optional<ArgsStop> {
        if (auto common = common_flag(p, flag, a.common)) return *common;
        if (flag == "-t" || flag == "--topic") {
            auto v = p.value("-t argument given but no topic specified.");
            if (!v) return v.error();
            if (!protocol::is_valid_utf8(*v)) return fail("Error: Malformed UTF-8 in -t argument.\n\n");
            if (!valid_filter(*v)) {
                return fail(fmt::format(
                    "Error: Invalid subscription topic '{}', are all '+' and '#' wildcards correct?\n", *v));
            }
            a.topics.emplace_back(*v);
        } else if (flag == "-T" || flag == "--filter-out") {
            auto v = p.value("-T argument given but no topic filter specified.");
            if (!v) return v.error();
            if (!protocol::is_valid_utf8(*v)) return fail("Error: Malformed UTF-8 in -T argument.\n\n");
            if (!valid_filter(*v)) {
                return fail(fmt::format(
                    "Error: Invalid filter topic '{}', are all '+' and '#' wildcards correct?\n", *v));
            }
            a.filter_outs.emplace_back(*v);
        } else if (flag == "-U" || flag == "--unsubscribe") {
            auto v = p.value("-U argument given but no unsubscribe topic specified.");
            if (!v) return v.error();
            if (!protocol::is_valid_utf8(*v)) return fail("Error: Malformed UTF-8 in -U argument.\n\n");
            if (!valid_filter(*v)) {
                return fail(fmt::format(
                    "Error: Invalid unsubscribe topic '{}', are all '+' and '#' wildcards correct?\n", *v));
            }
            a.unsub_topics.emplace_back(*v);
        } else if (flag == "-C") {
            auto v = p.value("-C argument given but no count specified.");
            if (!v) return v.error();
            a.msg_count = lenient_atoi(*v);
            if (a.msg_count < 1)
                return fail(fmt::format("Error: Invalid message count \"{}\".\n\n", a.msg_count));
        } else if (flag == "-W") {
            auto v = p.value("-W argument given but no timeout specified.");
            if (!v) return v.error();
            a.timeout_seconds = lenient_atoi(*v);
            if (a.timeout_seconds < 1) {
                return fail(fmt::format("Error: Invalid timeout \"{}\".\n\n", a.timeout_seconds));
            }
        } else if (flag == "-R") {
            a.no_retain = true;
        } else if (flag == "-v" || flag == "--verbose") {
            a.verbose = true;
        } else if (flag == "-N") {
            a.eol = false;
        } else if (flag == "-E") {
            a.exit_after_sub = true;
        } else if (flag == "--retained-only") {
            a.retained_only = true;
        } else if (auto out = output_flag(p, flag, a.output)) {
            if (*out) return *out;
        } else if (flag == "--retain-as-published") {
            a.retain_as_published = true;
        } else if (flag == "--no-local") {
            a.no_local = true;
        } else if (flag == "--retain-handling") {
            auto v = p.value("--retain-handling argument given but no value specified.");
            if (!v) return v.error();
            int handling = lenient_atoi(*v);
            if (handling < 0 || handling > 2 || v->empty() ||
                !std::isdigit(static_cast<unsigned char>((*v)[0]))) {
                return fail(fmt::format("Error: Invalid retain handling \"{}\": use 0, 1 or 2.\n\n", *v));
            }
            a.retain_handling = static_cast<protocol::RetainHandling>(handling);
        } else {
            return p.unknown(flag);
        }
        return std::nullopt;
    });
    if (stop) return std::unexpected(*stop);
    if (auto s = common_checks(a.common)) return std::unexpected(*s);
    default_tls_port(a.common);
    if (a.topics.empty() && a.unsub_topics.empty()) {
        return std::unexpected(fail("Error: You must specify a topic to subscribe to.\n"));
    }
    return a;
}

std::expected<RrArgs, ArgsStop> parse_rr_args(std::span<const std::string> args) {
    RrArgs a;
    a.common.version = protocol::ProtocolVersion::v5;
    Parser p(Tool::rr, args);
    auto stop = p.run([&](std::string_view flag) -> std::optional<ArgsStop> {
        if (auto common = common_flag(p, flag, a.common)) return *common;
        if (auto m = message_flag(p, flag, a)) return *m;
        if (auto out = output_flag(p, flag, a.output)) return *out;
        if (flag == "-t" || flag == "--topic") {
            auto v = p.value("-t argument given but no topic specified.");
            if (!v) return v.error();
            if (!protocol::is_valid_utf8(*v)) return fail("Error: Malformed UTF-8 in -t argument.\n\n");
            if (!valid_topic(*v)) {
                return fail(
                    fmt::format("Error: Invalid publish topic '{}', does it contain '+' or '#'?\n", *v));
            }
            a.topic = std::string(*v);
        } else if (flag == "-e") {
            auto v = p.value("-e argument given but no response topic specified.");
            if (!v) return v.error();
            if (!protocol::is_valid_utf8(*v)) return fail("Error: Malformed UTF-8 in -e argument.\n\n");
            if (!valid_topic(*v)) {
                return fail(
                    fmt::format("Error: Invalid response topic '{}', does it contain '+' or '#'?\n", *v));
            }
            a.response_topic = std::string(*v);
        } else if (flag == "-W") {
            auto v = p.value("-W argument given but no timeout specified.");
            if (!v) return v.error();
            a.timeout_seconds = lenient_atoi(*v);
            if (a.timeout_seconds < 1) {
                return fail(fmt::format("Error: Invalid timeout \"{}\".\n\n", a.timeout_seconds));
            }
        } else if (flag == "-R") {
            a.no_retain = true;
        } else if (flag == "-v" || flag == "--verbose") {
            a.verbose = true;
        } else if (flag == "-N") {
            a.eol = false;
        } else {
            return p.unknown(flag);
        }
        return std::nullopt;
    });
    if (stop) return std::unexpected(*stop);
    if (auto s = common_checks(a.common)) return std::unexpected(*s);
    default_tls_port(a.common);
    if (!a.topic || a.source == MessageSource::none || !a.response_topic) {
        return std::unexpected(fail("Error: All of topic, message, and response topic must be supplied.\n"));
    }
    return a;
}

}  // namespace culex::client
