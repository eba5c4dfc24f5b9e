// The flags pub, sub and rr share, with mosquitto_pub's spellings, checks and words; and -F/--pretty, which
// sub and rr share.
#include <cstdlib>

#include "client/flag_table.hpp"
#include "client/format.hpp"
#include "protocol/topic.hpp"

namespace culex::client {

namespace {

using C = CommonArgs;

FlagResult on_port(C& c, std::string_view v) {
    c.port = lenient_atoi(v);
    c.port_given = true;
    if (c.port < 0 || c.port > 65535) return fail(fmt::format("Error: Invalid port given: {}\n", c.port));
    return std::nullopt;
}

FlagResult on_keepalive(C& c, std::string_view v) {
    c.keepalive = lenient_atoi(v);
    if (c.keepalive < 5 || c.keepalive > 65535)
        return fail("Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.\n\n");
    return std::nullopt;
}

FlagResult on_qos(C& c, std::string_view v) {
    c.qos = lenient_atoi(v);
    if (c.qos < 0 || c.qos > 2) return fail(fmt::format("Error: Invalid QoS given: {}\n", c.qos));
    return std::nullopt;
}

FlagResult on_max_inflight(C& c, std::string_view v) {
    c.max_inflight = lenient_atoi(v);
    if (c.max_inflight < 1) return fail("Error: Maximum inflight messages must be greater than 0.\n\n");
    if (c.max_inflight > 65535) c.max_inflight = 65535;
    return std::nullopt;
}

FlagResult on_protocol_version(C& c, std::string_view v) {
    if (v == "mqttv31" || v == "31") {
        c.version = protocol::ProtocolVersion::v31;
    } else if (v == "mqttv311" || v == "311") {
        c.version = protocol::ProtocolVersion::v311;
    } else if (v == "mqttv5" || v == "5") {
        c.version = protocol::ProtocolVersion::v5;
    } else {
        return fail("Error: Invalid protocol version argument given.\n\n");
    }
    return std::nullopt;
}

std::expected<std::size_t, ArgsStop> on_property(C& c, std::span<const std::string> rest) {
    std::string error;
    auto taken = parse_property_arg(rest, c.properties, error);
    if (!taken) return std::unexpected(fail(std::move(error)));
    c.version = protocol::ProtocolVersion::v5;  // as Mosquitto: -D makes an MQTT 5 client
    return *taken;
}

FlagResult on_session_expiry(C& c, std::string_view v) {
    if (v == "\u221e") {  // "∞"
        c.session_expiry = 0xFFFFFFFFu;
        return std::nullopt;
    }
    std::string text(v);
    char* end = nullptr;
    long long value = std::strtoll(text.c_str(), &end, 0);
    if (end == text.c_str() || *end != '\0') return fail("Error: session-expiry-interval not a number.\n\n");
    if (value == -1) value = 0xFFFFFFFFLL;
    if (value < -1 || value > 0xFFFFFFFFLL) return fail("Error: session-expiry-interval out of range.\n\n");
    c.session_expiry = static_cast<std::uint32_t>(value);
    return std::nullopt;
}

FlagResult on_will_topic(C& c, std::string_view v) {
    if (!protocol::is_valid_utf8(v)) return fail("Error: Malformed UTF-8 in --will-topic argument.\n\n");
    if (!protocol::is_valid_topic_name(v))
        return fail(fmt::format("Error: Invalid will topic '{}', does it contain '+' or '#'?\n", v));
    c.will_topic = std::string(v);
    return std::nullopt;
}

FlagResult on_will_qos(C& c, std::string_view v) {
    c.will_qos = lenient_atoi(v);
    if (c.will_qos < 0 || c.will_qos > 2)
        return fail(fmt::format("Error: Invalid will QoS {}.\n\n", c.will_qos));
    return std::nullopt;
}

FlagResult on_tls_version(C& c, std::string_view v) {
    if (v != "tlsv1.3" && v != "tlsv1.2" && v != "tlsv1.1") {
        return fail(
            fmt::format("Error: Problem setting TLS options: Invalid function arguments provided.\n"
                        "(--tls-version \"{}\": use tlsv1.3, tlsv1.2 or tlsv1.1)\n",
                        v));
    }
    c.tls_version = std::string(v);
    return std::nullopt;
}

// -i and -I exclude each other; Mosquitto says so before it looks for the value.
FlagResult id_prefix_not_given(C& c) {
    if (c.id_prefix) return fail("Error: -i and -I argument cannot be used together.\n\n");
    return std::nullopt;
}

FlagResult id_not_given(C& c) {
    if (c.id) return fail("Error: -i and -I argument cannot be used together.\n\n");
    return std::nullopt;
}

FlagResult on_help(C&, std::string_view) {
    return ArgsStop{ArgsStop::Kind::help, {}};
}

FlagResult on_version(C&, std::string_view) {
    return ArgsStop{ArgsStop::Kind::version, {}};
}

const Flag<C> kCommonFlags[] = {
    {"-h", "--host", "-h argument given but no host specified.", store_text<C, &C::host>},
    {"-p", "--port", "-p argument given but no port specified.", on_port},
    {"-i", "--id", "-i argument given but no id specified.", store_text<C, &C::id>, id_prefix_not_given},
    {"-I", "--id-prefix", "-I argument given but no id prefix specified.", store_text<C, &C::id_prefix>,
     id_not_given},
    {"-k", "--keepalive", "-k argument given but no keepalive specified.", on_keepalive},
    {"-c", "--disable-clean-session", "", store_bool<C, &C::clean_session, false>},
    {"-d", "--debug", "", store_bool<C, &C::debug>},
    {"--quiet", "", "", store_bool<C, &C::quiet>},
    {"-u", "--username", "-u argument given but no username specified.", store_text<C, &C::username>},
    {"-P", "--pw", "-P argument given but no password specified.", store_text<C, &C::password>},
    {"-q", "--qos", "-q argument given but no QoS specified.", on_qos},
    {"-M", "", "-M argument given but max_inflight not specified.", on_max_inflight},
    {"-V", "--protocol-version", "--protocol-version argument given but no version specified.",
     on_protocol_version},
    {.name = "-D", .alias = "--property", .take_words = on_property},
    {"-x", "", "-x argument given but no session expiry interval specified.", on_session_expiry},
    {"--will-topic", "", "--will-topic argument given but no will topic specified.", on_will_topic},
    {"--will-payload", "", "--will-payload argument given but no will payload specified.",
     store_text<C, &C::will_payload>},
    {"--will-qos", "", "--will-qos argument given but no will QoS specified.", on_will_qos},
    {"--will-retain", "", "", store_bool<C, &C::will_retain>},
    {"--cafile", "", "--cafile argument given but no file specified.", store_text<C, &C::cafile>},
    {"--capath", "", "--capath argument given but no directory specified.", store_text<C, &C::capath>},
    {"--cert", "", "--cert argument given but no file specified.", store_text<C, &C::certfile>},
    {"--key", "", "--key argument given but no file specified.", store_text<C, &C::keyfile>},
    {"--ciphers", "", "--ciphers argument given but no ciphers specified.", store_text<C, &C::ciphers>},
    {"--tls-alpn", "", "--tls-alpn argument given but no protocol specified.", store_text<C, &C::tls_alpn>},
    {"--tls-version", "", "--tls-version argument given but no version specified.", on_tls_version},
    {"--insecure", "", "", store_bool<C, &C::insecure>},
    {"--tls-use-os-certs", "", "", store_bool<C, &C::tls_use_os_certs>},
    {"--help", "", "", on_help},
    {"--version", "", "", on_version},
};

FlagResult on_format(OutputOptions& o, std::string_view v) {
    if (auto problem = check_format(v)) return fail(std::move(*problem));
    o.format = std::string(v);
    return std::nullopt;
}

const Flag<OutputOptions> kOutputFlags[] = {
    {"-F", "", "-F argument given but no format specified.", on_format},
    {"--pretty", "", "", store_bool<OutputOptions, &OutputOptions::pretty>},
};

}  // namespace

std::span<const Flag<CommonArgs>> common_flags() {
    return kCommonFlags;
}

std::span<const Flag<OutputOptions>> output_flags() {
    return kOutputFlags;
}

}  // namespace culex::client
