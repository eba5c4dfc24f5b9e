// GET / and the dashboard's assets: the embedded files (dashboard_files.hpp) with their Content-Type, a
// Cache-Control that makes the browser revalidate (a new broker may bring new files), and a
// Content-Security-Policy that allows this origin only: no script, style or connection elsewhere.
#pragma once

#include <optional>
#include <string_view>

#include "net/http_types.hpp"

namespace culex::ops {

inline constexpr std::string_view kDashboardPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// The file for `path` ("/" is index.html); nullopt when the dashboard has none.
std::optional<net::HttpResponse> dashboard_file(std::string_view path);

}  // namespace culex::ops
