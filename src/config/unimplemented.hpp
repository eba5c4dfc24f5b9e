// The options mosquitto.conf(5) documents that culex does not implement yet. culex accepts them, so that an
// existing Mosquitto configuration loads, and warns that they are ignored.
#pragma once

#include <span>
#include <string_view>

namespace culex::config {

struct UnimplementedOption {
    std::string_view name;  // ends in '*' for a family (auth_opt_*)
    std::string_view area;  // what it belongs to, for the warning: "bridges", "plugins", ...
};

std::span<const UnimplementedOption> unimplemented_options();

// The entry for `option` (matching families by prefix), or nullptr.
const UnimplementedOption* find_unimplemented(std::string_view option);

inline constexpr std::string_view kBridgeArea = "bridges";

}  // namespace culex::config
