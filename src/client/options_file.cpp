#include "client/options_file.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace culex::client {

std::vector<std::string> option_file_words(std::string_view text) {
    std::vector<std::string> words;
    while (!text.empty()) {
        auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        while (!line.empty() && (line.back() == '\r' || line.back() == '\n'))
            line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        auto start = line.find_first_not_of(' ');
        if (start == std::string_view::npos) continue;
        line.remove_prefix(start);
        auto space = line.find(' ');
        std::string_view flag = line.substr(0, space);
        words.emplace_back(flag);
        if (space == std::string_view::npos) continue;
        std::string_view value = line.substr(space + 1);
        if (flag == "-D" || flag == "--property") {
            std::size_t i = 0;
            while (i < value.size()) {
                auto begin = value.find_first_not_of(' ', i);
                if (begin == std::string_view::npos) break;
                auto stop = value.find(' ', begin);
                words.emplace_back(value.substr(begin, stop - begin));
                i = stop == std::string_view::npos ? value.size() : stop;
            }
        } else if (!value.empty()) {
            words.emplace_back(value);
        }
    }
    return words;
}

std::optional<std::string> default_options_path(std::string_view name, const char* xdg_config_home,
                                                const char* home) {
    if (xdg_config_home && *xdg_config_home) return std::string(xdg_config_home) + "/" + std::string(name);
    if (home && *home) return std::string(home) + "/.config/" + std::string(name);
    return std::nullopt;
}

std::vector<std::string> with_default_options(std::string_view name, std::span<const std::string> argv) {
    std::vector<std::string> words;
    if (auto path = default_options_path(name, std::getenv("XDG_CONFIG_HOME"), std::getenv("HOME"))) {
        std::ifstream in(*path, std::ios::binary);
        if (in) {
            std::ostringstream content;
            content << in.rdbuf();
            words = option_file_words(content.str());
        }
    }
    words.insert(words.end(), argv.begin(), argv.end());
    return words;
}

}  // namespace culex::client
