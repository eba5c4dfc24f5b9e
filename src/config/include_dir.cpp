#include "config/include_dir.hpp"

#include <algorithm>
#include <cctype>
#include <system_error>

namespace culex::config {

namespace fs = std::filesystem;

bool loads_before(std::string_view a, std::string_view b) {
    // Compare by letter first, ignoring case; on the same letter upper case goes first.
    const auto key = [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return std::pair{std::tolower(u), std::islower(u) ? 1 : 0};
    };
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [&](char x, char y) { return key(x) < key(y); });
}

std::expected<std::vector<fs::path>, std::string> conf_files_in(const fs::path& dir) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) return std::unexpected(ec.message());
    std::vector<fs::path> files;
    for (const auto& entry : it) {
        const auto name = entry.path().filename().string();
        if (name.size() <= 5 || !name.ends_with(".conf")) continue;
        if (!entry.is_regular_file(ec)) continue;  // follows links; skips directories named x.conf
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
        return loads_before(a.filename().string(), b.filename().string());
    });
    return files;
}

}  // namespace culex::config
