// The --help texts of `culex pub`, `culex sub` and `culex rr`, laid out as Mosquitto's clients lay theirs
// out, listing the flags culex supports.
#pragma once

#include <string>
#include <string_view>

namespace culex::client {

inline constexpr std::string_view kClientVersion = "0.1.0";

std::string pub_usage();
std::string sub_usage();
std::string pub_version_line();
std::string sub_version_line();
std::string rr_usage();
std::string rr_version_line();

}  // namespace culex::client
