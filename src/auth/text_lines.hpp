// Reading a whole text file, and walking it line by line with 1-based line numbers: shared by the password
// file, its editor and the ACL file, whose errors all name file:line.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace culex::auth {

// The file's bytes. The error reads like Mosquitto's: "Unable to open FILE. No such file or directory."
Result<std::string> read_text_file(const std::filesystem::path& path, std::string_view what);

// Calls `visit(line_number, line)` for each line, without its "\n" or "\r\n". A last line without "\n"
// counts.
template <typename Visit>
void for_each_line(std::string_view text, Visit&& visit) {
    std::size_t number = 0;
    while (!text.empty()) {
        auto newline = text.find('\n');
        auto line = text.substr(0, newline);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        if (line.ends_with('\r')) line.remove_suffix(1);
        visit(++number, line);
    }
}

// Without leading and trailing spaces and tabs.
std::string_view trim_blanks(std::string_view text);

}  // namespace culex::auth
