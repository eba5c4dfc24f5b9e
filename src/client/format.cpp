#include "client/format.hpp"

#include <fmt/format.h>

#include <ctime>
#include <utility>
#include <vector>

namespace culex::client {

namespace {

constexpr std::string_view kSpecifiers = "%ACDEFIjJlmPpqRrStUxX";
constexpr std::string_view kEscapes = "\\0aenrtv";

// The local time of `now` and its nanoseconds, as Mosquitto reads them once per message.
struct Moment {
    std::tm tm{};
    long nanoseconds = 0;
    long long unix_seconds = 0;
};

Moment moment_of(std::chrono::system_clock::time_point now) {
    Moment m;
    auto since = now.time_since_epoch();
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since);
    m.unix_seconds = seconds.count();
    m.nanoseconds =
        static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(since - seconds).count());
    std::time_t t = static_cast<std::time_t>(m.unix_seconds);
    ::localtime_r(&t, &m.tm);
    return m;
}

std::string strftime_text(const char* pattern, const std::tm& tm) {
    char buffer[100];
    std::size_t n = std::strftime(buffer, sizeof buffer, pattern, &tm);
    return std::string(buffer, n);
}

struct Spec {
    bool left = false;
    char pad = ' ';
    int width = 0;
    int precision = -1;
};

void pad_to(std::string& out, std::string_view text, const Spec& spec, bool numeric) {
    std::size_t width = static_cast<std::size_t>(spec.width);
    if (text.size() >= width) {
        out += text;
        return;
    }
    std::size_t fill = width - text.size();
    if (spec.left) {
        out += text;
        out.append(fill, ' ');
    } else {
        out.append(fill, numeric ? spec.pad : ' ');
        out += text;
    }
}

void put_string(std::string& out, std::string_view text, const Spec& spec) {
    if (spec.precision >= 0 && text.size() > static_cast<std::size_t>(spec.precision))
        text = text.substr(0, static_cast<std::size_t>(spec.precision));
    pad_to(out, text, spec, false);
}

void put_number(std::string& out, long long value, const Spec& spec) {
    pad_to(out, std::to_string(value), spec, true);
}

std::string hex_of(std::string_view bytes, bool upper) {
    std::string text;
    text.reserve(bytes.size() * 2);
    for (unsigned char c : bytes)
        text += upper ? fmt::format("{:02X}", c) : fmt::format("{:02x}", c);
    return text;
}

// cJSON's string escaping: quotes, backslash, the named control characters, other controls as \u00xx.
void json_string(std::string& out, std::string_view text) {
    out += '"';
    for (unsigned char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    out += fmt::format("\\u{:04x}", c);
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += '"';
}

// A tiny JSON object writer with cJSON's two layouts (minimised, and tabs with "key":\tvalue).
class JsonObject {
  public:
    JsonObject(std::string& out, bool pretty, int depth) : out_(out), pretty_(pretty), depth_(depth) {
        out_ += '{';
    }
    void key(std::string_view name) {
        if (count_++) out_ += ',';
        if (pretty_) {
            out_ += '\n';
            out_.append(static_cast<std::size_t>(depth_ + 1), '\t');
        }
        json_string(out_, name);
        out_ += ':';
        if (pretty_) out_ += '\t';
    }
    void string(std::string_view name, std::string_view value) {
        key(name);
        json_string(out_, value);
    }
    void number(std::string_view name, long long value) {
        key(name);
        out_ += std::to_string(value);
    }
    void close() {
        if (pretty_) {
            out_ += '\n';
            out_.append(static_cast<std::size_t>(depth_), '\t');
        }
        out_ += '}';
    }
    int depth() const { return depth_; }

  private:
    std::string& out_;
    bool pretty_;
    int depth_;
    int count_ = 0;
};

bool has_properties(const protocol::Properties& p) {
    return p.payload_format_indicator || p.message_expiry_interval || p.content_type || p.response_topic ||
           p.correlation_data || !p.subscription_identifiers.empty() || p.topic_alias ||
           !p.user_properties.empty();
}

// The decoder keeps properties by name, not in wire order: they come in this fixed order (user properties
// first, as a publisher that sets them first sends them).
void json_properties(std::string& out, JsonObject& root, const protocol::Properties& p, bool pretty) {
    root.key("properties");
    JsonObject props(out, pretty, root.depth() + 1);
    if (!p.user_properties.empty()) {
        props.key("user-properties");
        JsonObject users(out, pretty, root.depth() + 2);
        for (const auto& [name, value] : p.user_properties)
            users.string(name, value);
        users.close();
    }
    if (p.response_topic) props.string("response-topic", *p.response_topic);
    if (p.correlation_data) props.string("correlation-data", *p.correlation_data);
    if (p.content_type) props.string("content-type", *p.content_type);
    if (p.payload_format_indicator) props.number("payload-format-indicator", *p.payload_format_indicator);
    if (p.message_expiry_interval) props.number("message-expiry-interval", *p.message_expiry_interval);
    if (p.topic_alias) props.number("topic-alias", *p.topic_alias);
    for (auto id : p.subscription_identifiers)
        props.number("subscription-identifier", id);
    props.close();
}

}  // namespace

std::optional<std::string> check_format(std::string_view str) {
    const std::size_t len = str.size();
    auto incomplete = [] { return std::optional<std::string>("Error: Incomplete format specifier.\n"); };
    for (std::size_t i = 0; i < len; ++i) {
        if (str[i] == '%') {
            if (i == len - 1) return incomplete();
            if (str[i + 1] == '0' || str[i + 1] == '-') {
                if (++i == len - 1) return incomplete();
            }
            while (str[i + 1] >= '0' && str[i + 1] <= '9') {
                if (++i == len - 1) return incomplete();
            }
            if (str[i + 1] == '.') {
                if (++i == len - 1) return incomplete();
                while (str[i + 1] >= '0' && str[i + 1] <= '9') {
                    if (++i == len - 1) return incomplete();
                }
            }
            if (kSpecifiers.find(str[i + 1]) == std::string_view::npos)
                return fmt::format("Error: Invalid format specifier '{}'.\n", str[i + 1]);
            ++i;
        } else if (str[i] == '@') {
            if (i == len - 1) return incomplete();
            ++i;
        } else if (str[i] == '\\') {
            if (i == len - 1) return std::string("Error: Incomplete escape specifier.\n");
            if (kEscapes.find(str[i + 1]) == std::string_view::npos)
                return fmt::format("Error: Invalid escape specifier '{}'.\n", str[i + 1]);
            ++i;
        }
    }
    return std::nullopt;
}

std::string message_json(const protocol::Publish& message, bool pretty,
                         std::chrono::system_clock::time_point now) {
    auto m = moment_of(now);
    std::string tst = strftime_text("%Y-%m-%dT%H:%M:%S", m.tm) +
                      fmt::format(".{:06d}Z", m.nanoseconds / 1000) + strftime_text("%z", m.tm);
    std::string out;
    JsonObject root(out, pretty, 0);
    root.string("tst", tst);
    root.string("topic", message.topic);
    root.number("qos", static_cast<int>(message.qos));
    root.number("retain", message.retain ? 1 : 0);
    root.number("payloadlen", static_cast<long long>(message.payload.size()));
    if (message.qos != protocol::QoS::at_most_once) root.number("mid", message.packet_id);
    if (has_properties(*message.properties)) json_properties(out, root, *message.properties, pretty);
    root.string("payload", message.payload.view());
    root.close();
    return out;
}

std::string apply_format(std::string_view format, const protocol::Publish& message, bool pretty,
                         std::chrono::system_clock::time_point now) {
    const protocol::Properties& props = *message.properties;
    std::optional<Moment> moment;
    auto time = [&]() -> const Moment& {
        if (!moment) moment = moment_of(now);
        return *moment;
    };
    std::string out;
    const std::size_t len = format.size();
    for (std::size_t i = 0; i < len; ++i) {
        char c = format[i];
        if (c == '%') {
            if (i >= len - 1) continue;
            Spec spec;
            ++i;
            if (format[i] == '-') {
                spec.left = true;
                if (i < len - 1) ++i;
            }
            if (format[i] == '0') {
                if (!spec.left) spec.pad = '0';
                if (i < len - 1) ++i;
            }
            while (i < len - 1 && format[i] >= '0' && format[i] <= '9')
                spec.width = spec.width * 10 + (format[i++] - '0');
            if (format[i] == '.' && i < len - 1) {
                ++i;
                spec.precision = 0;
                while (i < len - 1 && format[i] >= '0' && format[i] <= '9')
                    spec.precision = spec.precision * 10 + (format[i++] - '0');
            }
            switch (format[i]) {
                case '%':
                    out += '%';
                    break;
                case 'A':
                    if (props.topic_alias) put_number(out, *props.topic_alias, spec);
                    break;
                case 'C':
                    if (props.content_type) put_string(out, *props.content_type, spec);
                    break;
                case 'D':
                    if (props.correlation_data) out += *props.correlation_data;
                    break;
                case 'E':
                    if (props.message_expiry_interval) put_number(out, *props.message_expiry_interval, spec);
                    break;
                case 'F':
                    if (props.payload_format_indicator)
                        put_number(out, *props.payload_format_indicator, spec);
                    break;
                case 'I':
                    put_string(out, strftime_text("%Y-%m-%dT%H:%M:%S%z", time().tm), spec);
                    break;
                case 'j':
                case 'J':  // culex prints %J as %j: the payload is quoted, never parsed as JSON
                    out += message_json(message, pretty, now);
                    break;
                case 'l':
                    put_number(out, static_cast<long long>(message.payload.size()), spec);
                    break;
                case 'm':
                    put_number(out, message.packet_id, spec);
                    break;
                case 'P':
                    for (std::size_t k = 0; k < props.user_properties.size(); ++k) {
                        if (k) out += ' ';
                        out += props.user_properties[k].first;
                        out += ':';
                        out += props.user_properties[k].second;
                    }
                    break;
                case 'p':
                    out += message.payload.view();
                    break;
                case 'q':
                    out += static_cast<char>('0' + static_cast<int>(message.qos));
                    break;
                case 'R':
                    if (props.response_topic) put_string(out, *props.response_topic, spec);
                    break;
                case 'r':
                    out += message.retain ? '1' : '0';
                    break;
                case 'S':
                    if (!props.subscription_identifiers.empty())
                        put_number(out, props.subscription_identifiers.front(), spec);
                    break;
                case 't':
                    put_string(out, message.topic, spec);
                    break;
                case 'U':
                    out += fmt::format("{}.{:09d}", time().unix_seconds, time().nanoseconds);
                    break;
                case 'x':
                case 'X': {
                    auto hex = hex_of(message.payload.view(), format[i] == 'X');
                    Spec hex_spec = spec;
                    hex_spec.precision = -1;
                    pad_to(out, hex, hex_spec, true);
                    break;
                }
                default:
                    break;
            }
        } else if (c == '@') {
            if (i >= len - 1) continue;
            char next = format[++i];
            if (next == '@') {
                out += '@';
            } else if (next == 'N') {
                out += fmt::format("{:09d}", time().nanoseconds);
            } else {
                const char pattern[3] = {'%', next, '\0'};
                out += strftime_text(pattern, time().tm);
            }
        } else if (c == '\\') {
            if (i >= len - 1) continue;
            switch (format[++i]) {
                case '\\':
                    out += '\\';
                    break;
                case '0':
                    out += '\0';
                    break;
                case 'a':
                    out += '\a';
                    break;
                case 'e':
                    out += '\033';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'v':
                    out += '\v';
                    break;
                default:
                    break;
            }
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace culex::client
