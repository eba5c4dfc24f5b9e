// include_dir: the *.conf files of a directory, in the order Mosquitto loads them (case-sensitive
// alphabetical, each upper-case letter just before its lower-case twin: 00.conf 01.conf A.conf a.conf B.conf
// b.conf).
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace culex::config {

// True when file name `a` loads before `b`.
bool loads_before(std::string_view a, std::string_view b);

// The *.conf regular files (or links to them) directly inside `dir`, in load order. The error names the
// cause.
std::expected<std::vector<std::filesystem::path>, std::string> conf_files_in(
    const std::filesystem::path& dir);

}  // namespace culex::config
