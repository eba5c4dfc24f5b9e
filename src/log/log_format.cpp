#include "log/log_format.hpp"

#include <ctime>
#include <iterator>

#include <fmt/format.h>

namespace culex::log {

namespace {

// The length of the UTF-8 sequence starting at text[0], or 0 when it is not valid UTF-8 (overlong forms,
// surrogates and code points past U+10FFFF included, as RFC 3629 says).
std::size_t utf8_sequence_length(std::string_view text) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    std::size_t length;
    unsigned char low = 0x80, high = 0xBF;  // the allowed range of the second byte
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;
        if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;
        if (lead == 0xF4) high = 0x8F;
    } else {
        return 0;
    }
    if (text.size() < length) return 0;
    if (byte(1) < low || byte(1) > high) return 0;
    for (std::size_t i = 2; i < length; ++i)
        if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
    return length;
}

void append_utc_time(std::string& out, std::chrono::system_clock::time_point when) {
    const auto since_epoch = when.time_since_epoch();
    const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                   utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
}

}  // namespace

std::string_view log_type_name(LogType type) {
    switch (type) {
        case LogType::information:
            return "information";
        case LogType::notice:
            return "notice";
        case LogType::warning:
            return "warning";
        case LogType::error:
            return "error";
        case LogType::debug:
            return "debug";
        case LogType::subscribe:
            return "subscribe";
        case LogType::unsubscribe:
            return "unsubscribe";
        case LogType::websockets:
            return "websockets";
        default:
            return "unknown";
    }
}

void append_json_escaped(std::string& out, std::string_view text) {
    while (!text.empty()) {
        const unsigned char c = static_cast<unsigned char>(text.front());
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c < 0x20 || c == 0x7F) {
            fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        } else if (c >= 0x80) {
            const std::size_t length = utf8_sequence_length(text);
            if (length == 0) {
                out += "\\ufffd";
                text.remove_prefix(1);
                continue;
            }
            out.append(text.substr(0, length));
            text.remove_prefix(length);
            continue;
        } else {
            out += static_cast<char>(c);
        }
        text.remove_prefix(1);
    }
}

void append_json_line(std::string& out, LogType type, std::string_view message,
                      const std::chrono::system_clock::time_point* when) {
    out += '{';
    if (when) {
        out += "\"time\":\"";
        append_utc_time(out, *when);
        out += "\",";
    }
    out += "\"type\":\"";
    out += log_type_name(type);
    out += "\",\"message\":\"";
    append_json_escaped(out, message);
    out += "\"}";
}

}  // namespace culex::log
