#include "ops/dashboard.hpp"

#include "ops/dashboard_files.hpp"

namespace culex::ops {

namespace {

std::string_view content_type(std::string_view name) {
    if (name.ends_with(".html")) return "text/html; charset=utf-8";
    if (name.ends_with(".css")) return "text/css; charset=utf-8";
    if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
    if (name.ends_with(".svg")) return "image/svg+xml";
    if (name.ends_with(".png")) return "image/png";
    return "application/octet-stream";
}

}  // namespace

std::optional<net::HttpResponse> dashboard_file(std::string_view path) {
    if (path == "/") path = "/index.html";
    if (!path.starts_with('/')) return std::nullopt;
    path.remove_prefix(1);
    for (std::size_t i = 0; i < kDashboardFileCount; ++i) {
        const EmbeddedFile& file = kDashboardFiles[i];
        if (file.name != path) continue;
        net::HttpResponse response;
        response.content_type = content_type(file.name);
        response.body = file.bytes;
        response.headers = {{"Cache-Control", "no-cache"},
                            {"Content-Security-Policy", std::string(kDashboardPolicy)},
                            {"X-Content-Type-Options", "nosniff"},
                            {"Referrer-Policy", "no-referrer"}};
        return response;
    }
    return std::nullopt;
}

}  // namespace culex::ops
