// The options mosquitto.conf(5) documents that culex does not implement. Those whose absence cannot change
// what a client sees or may access are accepted with a warning that the line is ignored, so that an existing
// Mosquitto configuration loads; the others (plugins that may decide who gets in, TLS-PSK, engines, served
// files) are refused at start with what to use instead.
#pragma once

#include <span>
#include <string_view>

namespace culex::config {

struct UnimplementedOption {
    std::string_view name;          // ends in '*' for a family (auth_opt_*)
    std::string_view area;          // what it belongs to, for the warning: "bridges", "plugins", ...
    std::string_view instead = {};  // non-empty: refused, and this says what to do instead
};

std::span<const UnimplementedOption> unimplemented_options();

// The entry for `option` (matching families by prefix), or nullptr.
const UnimplementedOption* find_unimplemented(std::string_view option);

inline constexpr std::string_view kBridgeArea = "bridges";

}  // namespace culex::config
