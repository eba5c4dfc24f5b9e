#include "sniff/printable.hpp"

#include <fmt/format.h>

#include "protocol/topic.hpp"

namespace culex::sniff {

bool is_printable(std::string_view bytes) {
    for (char c : bytes) {
        auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7F) return false;
    }
    return protocol::is_valid_utf8(bytes);
}

std::string printable_text(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (char c : bytes) {
        auto byte = static_cast<unsigned char>(c);
        switch (c) {
            case '\\':
                out += "\\\\";
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
                if (byte < 0x20 || byte == 0x7F) {
                    out += fmt::format("\\x{:02x}", byte);
                } else {
                    out += c;
                }
        }
    }
    return out;
}

std::string hex_preview(std::string_view bytes, std::size_t max_bytes) {
    std::string out;
    for (std::size_t i = 0; i < bytes.size() && i < max_bytes; ++i) {
        if (i) out += ' ';
        out += fmt::format("{:02x}", static_cast<unsigned char>(bytes[i]));
    }
    if (bytes.size() > max_bytes) out += " ...";
    return out;
}

std::string hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes) {
        auto byte = static_cast<unsigned char>(c);
        out += kDigits[byte >> 4];
        out += kDigits[byte & 0x0F];
    }
    return out;
}

std::string payload_text(std::string_view payload, std::size_t max_bytes) {
    bool cut = max_bytes != 0 && payload.size() > max_bytes;
    std::string_view shown = cut ? payload.substr(0, max_bytes) : payload;
    // A cut may split a UTF-8 sequence: judge printability on the whole payload.
    if (is_printable(payload)) {
        return fmt::format("'{}{}' ({} bytes)", printable_text(shown), cut ? "..." : "", payload.size());
    }
    return fmt::format("0x{}{} ({} bytes)", hex(shown), cut ? "..." : "", payload.size());
}

std::string show_password(std::string_view password, bool show) {
    if (show)
        return fmt::format("'{}'", is_printable(password) ? printable_text(password) : "0x" + hex(password));
    return fmt::format("'******' ({} bytes; --show-secrets shows it)", password.size());
}

namespace {

void add(std::string& out, std::string_view name, const std::string& value) {
    if (!out.empty()) out += ' ';
    out += name;
    out += '=';
    out += value;
}

template <typename T>
void add_number(std::string& out, std::string_view name, const std::optional<T>& value) {
    if (value) add(out, name, std::to_string(*value));
}

void add_text(std::string& out, std::string_view name, const std::optional<std::string>& value) {
    if (value) add(out, name, "'" + printable_text(*value) + "'");
}

void add_binary(std::string& out, std::string_view name, const std::optional<std::string>& value) {
    if (value) add(out, name, is_printable(*value) ? "'" + printable_text(*value) + "'" : "0x" + hex(*value));
}

}  // namespace

std::string properties_text(const protocol::Properties& p) {
    std::string out;
    add_number(out, "payload_format_indicator", p.payload_format_indicator);
    add_number(out, "message_expiry_interval", p.message_expiry_interval);
    add_text(out, "content_type", p.content_type);
    add_text(out, "response_topic", p.response_topic);
    add_binary(out, "correlation_data", p.correlation_data);
    for (auto id : p.subscription_identifiers)
        add(out, "subscription_identifier", std::to_string(id));
    add_number(out, "session_expiry_interval", p.session_expiry_interval);
    add_text(out, "assigned_client_identifier", p.assigned_client_identifier);
    add_number(out, "server_keep_alive", p.server_keep_alive);
    add_text(out, "authentication_method", p.authentication_method);
    add_binary(out, "authentication_data", p.authentication_data);
    add_number(out, "request_problem_information", p.request_problem_information);
    add_number(out, "will_delay_interval", p.will_delay_interval);
    add_number(out, "request_response_information", p.request_response_information);
    add_text(out, "response_information", p.response_information);
    add_text(out, "server_reference", p.server_reference);
    add_text(out, "reason_string", p.reason_string);
    add_number(out, "receive_maximum", p.receive_maximum);
    add_number(out, "topic_alias_maximum", p.topic_alias_maximum);
    add_number(out, "topic_alias", p.topic_alias);
    add_number(out, "maximum_qos", p.maximum_qos);
    add_number(out, "retain_available", p.retain_available);
    for (const auto& [key, value] : p.user_properties) {
        add(out, "user_property", "'" + printable_text(key) + "':'" + printable_text(value) + "'");
    }
    add_number(out, "maximum_packet_size", p.maximum_packet_size);
    add_number(out, "wildcard_subscription_available", p.wildcard_subscription_available);
    add_number(out, "subscription_identifier_available", p.subscription_identifier_available);
    add_number(out, "shared_subscription_available", p.shared_subscription_available);
    return out;
}

}  // namespace culex::sniff
