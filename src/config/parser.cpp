// mosquitto.conf -> Config: splits lines and dispatches each option to its handler (option_table.cpp),
// follows include_dir, then hands over to the whole-file resolution (resolve.cpp).
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "config/config.hpp"
#include "config/include_dir.hpp"
#include "config/parser.hpp"
#include "config/suggest.hpp"
#include "config/unimplemented.hpp"

namespace culex::config::parsing {

namespace {

namespace fs = std::filesystem;

std::expected<std::string, std::string> read_text(const fs::path& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) return std::unexpected(std::string("it is a directory, not a file"));
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::unexpected(std::string(std::strerror(errno)));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return std::unexpected(std::string(std::strerror(errno)));
    return text.str();
}

std::string unknown_option_message(std::string_view option) {
    std::vector<std::string_view> names;
    for (const auto& [name, spec] : option_table())
        names.push_back(name);
    for (const auto& entry : unimplemented_options()) {
        if (!entry.name.ends_with('*')) names.push_back(entry.name);
    }
    std::sort(names.begin(), names.end());  // ties resolve the same way on every run
    if (auto near = closest_match(option, names)) {
        return fmt::format("unknown option '{}': did you mean '{}'?", option, *near);
    }
    return fmt::format("unknown option '{}': check its spelling; docs/config.md lists every option", option);
}

}  // namespace

// --- Parser ---

Result Parser::handle_unimplemented(const Line& l, const UnimplementedOption& entry) {
    if (!entry.instead.empty())
        return std::unexpected(
            fmt::format("'{}' is not implemented in culex ({}): {}", l.option, entry.area, entry.instead));
    if (entry.area != kBridgeArea) {
        warn(fmt::format("'{}' is not implemented in culex yet ({}); the line is ignored", l.option,
                         entry.area));
        return {};
    }
    if (in_bridge)
        warn(fmt::format(
            "'{}' is not implemented for bridges in culex yet; the line is ignored and the bridge "
            "runs without it",
            l.option));
    else
        warn(
            fmt::format("'{}' is a bridge option, and no 'connection NAME' line comes before it; the line is "
                        "ignored",
                        l.option));
    return {};
}

Result Parser::include_dir(const Line& l, std::vector<ConfigError>& nested_error) {
    std::string dir;
    if (auto ok = set_text(l, dir); !ok) return ok;
    if (depth > 0) {
        warn(
            "include_dir is only read from the main configuration file (as in Mosquitto); this one is "
            "ignored");
        return {};
    }
    auto files = conf_files_in(dir);
    if (!files) {
        return std::unexpected(fmt::format(
            "include_dir '{}' cannot be read: {}; check the path (a relative path starts from the directory "
            "culex runs in)",
            dir, files.error()));
    }
    for (const auto& path : *files) {
        std::error_code ec;
        if (!config.files.empty() && fs::equivalent(path, config.files.front(), ec)) {
            return std::unexpected(fmt::format(
                "include_dir '{}' contains the main configuration file {}: move one of them elsewhere", dir,
                config.files.front()));
        }
        const std::string name = path.string();
        auto text = read_text(path);
        if (!text) {
            nested_error.push_back(
                {name, 0, fmt::format("cannot read this included file: {}", text.error())});
            return {};
        }
        config.files.push_back(name);
        // The included file's lines are handled with its own name and numbers, then this line resumes.
        const std::string saved_file = file;
        const int saved_line = line;
        const int saved_depth = depth;
        auto parsed = parse(*text, name, depth + 1);
        file = saved_file;
        line = saved_line;
        depth = saved_depth;
        if (!parsed) {
            nested_error.push_back(parsed.error());
            return {};
        }
    }
    return {};
}

Result Parser::handle_line(const Line& l, std::vector<ConfigError>& nested_error) {
    if (l.option == "include_dir") return include_dir(l, nested_error);
    const auto& table = option_table();
    if (auto it = table.find(l.option); it != table.end()) {
        Line with_usage = l;
        with_usage.usage = it->second.usage;
        return it->second.handle(*this, with_usage);
    }
    if (const auto* entry = find_unimplemented(l.option)) return handle_unimplemented(l, *entry);
    return std::unexpected(unknown_option_message(l.option));
}

std::expected<void, ConfigError> Parser::parse(std::string_view text, const std::string& file_name,
                                               int nesting) {
    file = file_name;
    depth = nesting;
    // Some Windows editors start a UTF-8 file with a byte order mark; it is not part of the first option.
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    int number = 0;
    while (!text.empty()) {
        const auto end = text.find('\n');
        const auto raw = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        ++number;
        const auto content = trim(raw);
        if (content.empty() || content.front() == '#') continue;

        std::size_t option_end = 0;
        while (option_end < content.size() && !is_blank(content[option_end]))
            ++option_end;
        Line l;
        l.option = content.substr(0, option_end);
        l.rest = trim(content.substr(option_end));
        l.words = split_words(l.rest);
        l.usage = l.option;

        line = number;
        std::vector<ConfigError> nested_error;
        auto handled = handle_line(l, nested_error);
        if (!nested_error.empty()) return std::unexpected(nested_error.front());
        if (!handled) return std::unexpected(ConfigError{file, number, handled.error()});
    }
    return {};
}

namespace {

std::expected<Config, ConfigError> parse_main(std::string_view text, const std::string& file_name) {
    Parser parser;
    parser.config.files.push_back(file_name);
    if (auto ok = parser.parse(text, file_name, 0); !ok) return std::unexpected(ok.error());
    return parser.finish(file_name);
}

}  // namespace

}  // namespace culex::config::parsing

namespace culex::config {

namespace fs = std::filesystem;
using parsing::parse_main;
using parsing::read_text;

std::string PersistenceSettings::path() const {
    if (location.empty()) return file;
    return (fs::path(location) / file).string();
}

std::expected<Config, ConfigError> parse_config(std::string_view text, std::string_view file_name) {
    return parse_main(text, std::string(file_name));
}

std::expected<Config, ConfigError> load_config(const std::string& path) {
    auto text = read_text(path);
    if (!text) {
        return std::unexpected(ConfigError{
            path, 0,
            fmt::format("cannot read the configuration file: {}; check the path given to -c", text.error())});
    }
    return parse_main(*text, path);
}

}  // namespace culex::config
