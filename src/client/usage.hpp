// The --help texts of `culex pub` and `culex sub`, laid out as mosquitto_pub/mosquitto_sub lay theirs out,
// listing the flags culex supports.
#pragma once

#include <string>
#include <string_view>

namespace culex::client {

inline constexpr std::string_view kClientVersion = "0.1.0";

std::string pub_usage();
std::string sub_usage();
std::string pub_version_line();
std::string sub_version_line();

}  // namespace culex::client
