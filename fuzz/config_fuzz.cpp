// libFuzzer target for the mosquitto.conf parser (src/config): the input is a whole configuration file.
// include_dir lines are turned into comments first, so that the parser never reads real directories.
// Beyond "no crash", every error must name this file and a line that exists, and the result must not change
// when the file is written with Windows line ends or ends with a comment.
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "invariant.hpp"

namespace {

using culex::fuzz::check;
using namespace culex::config;

constexpr const char* kTarget = "config_fuzz";
constexpr std::string_view kName = "fuzz.conf";

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

// The text with each line whose option is include_dir commented out (line numbers stay the same).
std::string without_includes(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 16);
    while (!text.empty()) {
        auto end = text.find('\n');
        auto line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        auto content = line;
        // A byte order mark may precede the first option.
        if (out.empty() && content.starts_with("\xEF\xBB\xBF")) content.remove_prefix(3);
        while (!content.empty() && is_blank(content.front()))
            content.remove_prefix(1);
        if (content.starts_with("include_dir") && (content.size() == 11 || is_blank(content[11]))) {
            out += '#';
        }
        out.append(line);
        if (end != std::string_view::npos) out += '\n';
    }
    return out;
}

int count_lines(std::string_view text) {
    int lines = 0;
    for (char c : text)
        lines += c == '\n';
    return lines + 1;
}

void check_result(const std::expected<Config, ConfigError>& result, int lines) {
    if (!result) {
        const ConfigError& e = result.error();
        check(e.file == kName, kTarget, "an error names another file than the one parsed");
        check(e.line >= 0 && e.line <= lines, kTarget, "an error names a line the file does not have");
        check(!e.message.empty(), kTarget, "an error without a message");
        check(e.to_string().starts_with(kName), kTarget, "an error's text does not start with the file");
        return;
    }
    const Config& c = *result;
    check(!c.listeners.empty(), kTarget, "a configuration without any listener");
    check(c.files.size() == 1 && c.files[0] == kName, kTarget, "files lists more than the file parsed");
    for (const auto& l : c.listeners) {
        check(l.tls.certfile.empty() == l.tls.keyfile.empty(), kTarget,
              "a listener accepted with only one of certfile and keyfile");
        check(l.source_line >= 0 && l.source_line <= lines, kTarget, "a listener defined on no line");
    }
    for (const auto& w : c.warnings) {
        check(w.line >= 0 && w.line <= lines, kTarget, "a warning names a line the file does not have");
        check(!w.message.empty(), kTarget, "a warning without a message");
    }
}

// Two parses of equivalent texts must agree: both accepted with the same listeners and warnings, or both
// refused at the same line with the same message.
void check_same(const std::expected<Config, ConfigError>& a, const std::expected<Config, ConfigError>& b,
                const char* what) {
    check(a.has_value() == b.has_value(), kTarget, what);
    if (!a) {
        check(a.error().line == b.error().line && a.error().message == b.error().message, kTarget, what);
        return;
    }
    check(a->listeners.size() == b->listeners.size(), kTarget, what);
    check(a->warnings.size() == b->warnings.size(), kTarget, what);
    for (std::size_t i = 0; i < a->listeners.size(); ++i) {
        check(a->listeners[i].port == b->listeners[i].port, kTarget, what);
        check(a->listeners[i].bind_address == b->listeners[i].bind_address, kTarget, what);
        check(a->listeners[i].mount_point == b->listeners[i].mount_point, kTarget, what);
    }
    check(a->security.allow_anonymous == b->security.allow_anonymous, kTarget, what);
    check(a->max_inflight_messages == b->max_inflight_messages, kTarget, what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text = without_includes({reinterpret_cast<const char*>(data), size});
    const int lines = count_lines(text);
    auto result = parse_config(text, kName);
    check_result(result, lines);

    std::string crlf;
    for (char c : text) {
        if (c == '\n') crlf += '\r';
        crlf += c;
    }
    check_same(result, parse_config(crlf, kName), "CRLF line ends change the result");

    std::string commented = text;
    commented += "\n# a comment\n";
    check_same(result, parse_config(commented, kName), "a trailing comment changes the result");
    return 0;
}
