#include "client/property_args.hpp"

#include <fmt/format.h>

#include <strings.h>
#include <array>
#include <cctype>

namespace culex::client {

namespace {

using protocol::Properties;

// The commands mosquitto_string_to_command knows (SUBACK and UNSUBACK are not among them).
enum class Command {
    connect,
    connack,
    publish,
    puback,
    pubrec,
    pubrel,
    pubcomp,
    subscribe,
    unsubscribe,
    disconnect,
    auth,
    will
};

struct CommandName {
    std::string_view name;
    Command command;
};
constexpr std::array<CommandName, 12> kCommands{{
    {"connect", Command::connect},
    {"connack", Command::connack},
    {"publish", Command::publish},
    {"puback", Command::puback},
    {"pubrec", Command::pubrec},
    {"pubrel", Command::pubrel},
    {"pubcomp", Command::pubcomp},
    {"subscribe", Command::subscribe},
    {"unsubscribe", Command::unsubscribe},
    {"disconnect", Command::disconnect},
    {"auth", Command::auth},
    {"will", Command::will},
}};

enum class Type { byte, int16, int32, varint, binary, string, pair };

// Mosquitto's MQTT_PROP_TYPE_* numbers, which its "Error adding property" line prints.
int type_number(Type type) {
    return static_cast<int>(type) + 1;
}

constexpr unsigned bit(Command c) {
    return 1u << static_cast<unsigned>(c);
}

struct PropertyInfo {
    std::string_view name;
    Type type;
    unsigned commands;  // where the spec allows it (mosquitto_property_check_command)
};

constexpr unsigned kMessage = bit(Command::publish) | bit(Command::will);
constexpr unsigned kAcks =
    bit(Command::puback) | bit(Command::pubrec) | bit(Command::pubrel) | bit(Command::pubcomp);
constexpr unsigned kAll = 0xFFFFu;

constexpr std::array<PropertyInfo, 27> kProperties{{
    {"payload-format-indicator", Type::byte, kMessage},
    {"message-expiry-interval", Type::int32, kMessage},
    {"content-type", Type::string, kMessage},
    {"response-topic", Type::string, kMessage},
    {"correlation-data", Type::binary, kMessage},
    {"subscription-identifier", Type::varint, bit(Command::publish) | bit(Command::subscribe)},
    {"session-expiry-interval", Type::int32,
     bit(Command::connect) | bit(Command::connack) | bit(Command::disconnect)},
    {"assigned-client-identifier", Type::string, bit(Command::connack)},
    {"server-keep-alive", Type::int16, bit(Command::connack)},
    {"authentication-method", Type::string,
     bit(Command::connect) | bit(Command::connack) | bit(Command::auth)},
    {"authentication-data", Type::binary, bit(Command::connect) | bit(Command::connack) | bit(Command::auth)},
    {"request-problem-information", Type::byte, bit(Command::connect)},
    {"will-delay-interval", Type::int32, bit(Command::will)},
    {"request-response-information", Type::byte, bit(Command::connect)},
    {"response-information", Type::string, bit(Command::connack)},
    {"server-reference", Type::string, bit(Command::connack) | bit(Command::disconnect)},
    {"reason-string", Type::string,
     bit(Command::connack) | kAcks | bit(Command::disconnect) | bit(Command::auth)},
    {"receive-maximum", Type::int16, bit(Command::connect) | bit(Command::connack)},
    {"topic-alias-maximum", Type::int16, bit(Command::connect) | bit(Command::connack)},
    {"topic-alias", Type::int16, bit(Command::publish)},
    {"maximum-qos", Type::byte, bit(Command::connack)},
    {"retain-available", Type::byte, bit(Command::connack)},
    {"user-property", Type::pair, kAll},
    {"maximum-packet-size", Type::int32, bit(Command::connect) | bit(Command::connack)},
    {"wildcard-subscription-available", Type::byte, bit(Command::connack)},
    {"subscription-identifier-available", Type::byte, bit(Command::connack)},
    {"shared-subscription-available", Type::byte, bit(Command::connack)},
}};

constexpr std::string_view kProtocolError =
    "A network protocol error occurred when communicating with the broker.";
constexpr std::string_view kDuplicate = "Duplicate property in property list";

bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Sets a single-valued property; a second one is a duplicate, reported when the lists are checked.
template <typename T, typename V>
void set_once(std::optional<T>& field, V value, std::optional<std::string>& problem) {
    if (field && !problem) problem = std::string(kDuplicate);
    field = static_cast<T>(value);
}

// The values mosquitto_property_check_all refuses as a protocol error.
void check_value(std::string_view name, long long value, std::optional<std::string>& problem) {
    if (problem) return;
    bool bad = false;
    if (name == "request-problem-information" || name == "request-response-information") bad = value > 1;
    if (name == "maximum-packet-size" || name == "receive-maximum" || name == "topic-alias") bad = value == 0;
    if (bad) problem = std::string(kProtocolError);
}

void store_number(std::string_view name, long long value, Properties& p,
                  std::optional<std::string>& problem) {
    check_value(name, value, problem);
    if (name == "payload-format-indicator") return set_once(p.payload_format_indicator, value, problem);
    if (name == "message-expiry-interval") return set_once(p.message_expiry_interval, value, problem);
    if (name == "subscription-identifier") {
        if (!p.subscription_identifiers.empty() && !problem) problem = std::string(kDuplicate);
        p.subscription_identifiers.push_back(static_cast<std::uint32_t>(value));
        return;
    }
    if (name == "session-expiry-interval") return set_once(p.session_expiry_interval, value, problem);
    if (name == "request-problem-information") return set_once(p.request_problem_information, value, problem);
    if (name == "will-delay-interval") return set_once(p.will_delay_interval, value, problem);
    if (name == "request-response-information")
        return set_once(p.request_response_information, value, problem);
    if (name == "receive-maximum") return set_once(p.receive_maximum, value, problem);
    if (name == "topic-alias-maximum") return set_once(p.topic_alias_maximum, value, problem);
    if (name == "topic-alias") return set_once(p.topic_alias, value, problem);
    if (name == "maximum-packet-size") return set_once(p.maximum_packet_size, value, problem);
}

void store_text(std::string_view name, std::string value, Properties& p,
                std::optional<std::string>& problem) {
    if (name == "content-type") return set_once(p.content_type, std::move(value), problem);
    if (name == "response-topic") return set_once(p.response_topic, std::move(value), problem);
    if (name == "correlation-data") return set_once(p.correlation_data, std::move(value), problem);
    if (name == "authentication-method") return set_once(p.authentication_method, std::move(value), problem);
    if (name == "authentication-data") return set_once(p.authentication_data, std::move(value), problem);
    if (name == "reason-string") return set_once(p.reason_string, std::move(value), problem);
    if (name == "server-reference") return set_once(p.server_reference, std::move(value), problem);
}

}  // namespace

long long lenient_atol(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
        ++i;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    long long value = 0;
    constexpr long long kCap = 1LL << 40;  // beyond every property's range
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
        value = value * 10 + (text[i] - '0');
        if (value > kCap) value = kCap;
    }
    return negative ? -value : value;
}

std::optional<std::size_t> parse_property_arg(std::span<const std::string> rest, PropertyLists& lists,
                                              std::string& error) {
    constexpr std::string_view kNotEnough =
        "Error: --property argument given but not enough arguments specified.\n\n";
    if (rest.size() < 3) {
        error = kNotEnough;
        return std::nullopt;
    }
    const std::string& command_name = rest[0];
    const CommandName* command = nullptr;
    for (const auto& c : kCommands) {
        if (same_name(c.name, command_name)) command = &c;
    }
    if (!command) {
        error = "Error: Invalid command given in --property argument.\n\n";
        return std::nullopt;
    }
    std::string property_name = rest[1];
    const PropertyInfo* info = nullptr;
    for (const auto& p : kProperties) {
        if (same_name(p.name, property_name)) info = &p;
    }
    if (!info) {
        error = "Error: Invalid property name given in --property argument.\n\n";
        return std::nullopt;
    }
    if ((info->commands & bit(command->command)) == 0) {
        error = fmt::format("Error: {} property not allowed for {} in --property argument.\n\n",
                            property_name, command_name);
        return std::nullopt;
    }
    std::size_t taken = 3;
    std::string value = rest[2];
    std::string pair_name;
    if (info->type == Type::pair) {
        if (rest.size() < 4) {
            error = kNotEnough;
            return std::nullopt;
        }
        pair_name = rest[2];
        value = rest[3];
        taken = 4;
    }

    Properties* list = nullptr;
    std::optional<std::string>* problem = nullptr;
    auto not_supported = [&] {
        error = fmt::format("Error: {} property not supported for {} in --property argument.\n\n",
                            property_name, command_name);
        return std::nullopt;
    };
    switch (command->command) {
        case Command::connect:
            list = &lists.connect, problem = &lists.connect_problem;
            break;
        case Command::publish:
            if (info->name == "subscription-identifier") return not_supported();
            list = &lists.publish, problem = &lists.publish_problem;
            break;
        case Command::subscribe:
            if (info->name != "subscription-identifier" && info->name != "user-property")
                return not_supported();
            list = &lists.subscribe, problem = &lists.subscribe_problem;
            break;
        case Command::unsubscribe:
            list = &lists.unsubscribe, problem = &lists.unsubscribe_problem;
            break;
        case Command::disconnect:
            list = &lists.disconnect, problem = &lists.disconnect_problem;
            break;
        case Command::will:
            list = &lists.will, problem = &lists.will_problem;
            break;
        case Command::connack:
            error.clear();  // Mosquitto refuses it without a word
            return std::nullopt;
        default:
            return not_supported();
    }

    auto name = info->name;
    switch (info->type) {
        case Type::byte:
        case Type::int16:
        case Type::int32:
        case Type::varint: {
            long long number = lenient_atol(value);
            long long max = info->type == Type::byte    ? 0xFF
                            : info->type == Type::int16 ? 0xFFFF
                                                        : 0xFFFFFFFFLL;
            if (number < 0 || number > max) {
                error = fmt::format("Error: Property value ({}) out of range for property {}.\n\n", number,
                                    property_name);
                return std::nullopt;
            }
            if (info->type == Type::varint && number > 268'435'455) {
                error = fmt::format("Error adding property {} {}\n", property_name, type_number(info->type));
                return std::nullopt;
            }
            store_number(name, number, *list, *problem);
            break;
        }
        case Type::binary:
        case Type::string:
            store_text(name, std::move(value), *list, *problem);
            break;
        case Type::pair:
            list->user_properties.emplace_back(std::move(pair_name), std::move(value));
            break;
    }
    lists.any = true;
    return taken;
}

void add_session_expiry(PropertyLists& lists, std::uint32_t seconds) {
    set_once(lists.connect.session_expiry_interval, seconds, lists.connect_problem);
}

std::optional<std::string> check_property_lists(const PropertyLists& lists) {
    const std::array<std::pair<std::string_view, const std::optional<std::string>*>, 6> checks{{
        {"CONNECT", &lists.connect_problem},
        {"PUBLISH", &lists.publish_problem},
        {"SUBSCRIBE", &lists.subscribe_problem},
        {"UNSUBSCRIBE", &lists.unsubscribe_problem},
        {"DISCONNECT", &lists.disconnect_problem},
        {"Will", &lists.will_problem},
    }};
    for (const auto& [label, problem] : checks) {
        if (*problem) return fmt::format("Error in {} properties: {}\n", label, **problem);
    }
    return std::nullopt;
}

}  // namespace culex::client
