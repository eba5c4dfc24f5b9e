#include "auth/text_lines.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace culex::auth {

Result<std::string> read_text_file(const std::filesystem::path& path, std::string_view what) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        return fail("Unable to open " + std::string(what) + " " + path.string() + ". Is a directory.");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail("Unable to open " + std::string(what) + " " + path.string() + ". " +
                    std::strerror(errno) + ".");
    }
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) {
        return fail("Unable to read " + std::string(what) + " " + path.string() + ". " +
                    std::strerror(errno) + ".");
    }
    return std::move(content).str();
}

std::string_view trim_blanks(std::string_view text) {
    auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

}  // namespace culex::auth
