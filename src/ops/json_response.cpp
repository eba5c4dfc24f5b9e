#include "ops/json_response.hpp"

#include <fmt/format.h>

#include <charconv>

#include "ops/url.hpp"

namespace culex::ops {

net::HttpResponse json_response(int status, const nlohmann::json& body) {
    net::HttpResponse response;
    response.status = status;
    response.content_type = "application/json";
    // Replace invalid UTF-8 (a client id is bytes) rather than throw.
    response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
}

net::HttpResponse json_error(int status, std::string_view message) {
    return json_response(status, {{"error", message}});
}

namespace {

std::optional<std::size_t> read_number(std::string_view query, std::string_view name, std::size_t fallback,
                                       std::string& why) {
    auto text = query_value(query, name);
    if (!text) return fallback;
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || text->empty()) {
        why = fmt::format("{} must be a whole number, not '{}'", name, *text);
        return std::nullopt;
    }
    return value;
}

}  // namespace

std::optional<Page> read_page(std::string_view query, std::size_t default_limit, std::size_t max_limit,
                              std::string& why) {
    auto offset = read_number(query, "offset", 0, why);
    auto limit = read_number(query, "limit", default_limit, why);
    if (!offset || !limit) return std::nullopt;
    if (*limit > max_limit) {
        why = fmt::format("limit may be at most {}; page with offset", max_limit);
        return std::nullopt;
    }
    return Page{*offset, *limit};
}

}  // namespace culex::ops
