// JSON answers of the admin API: the body, its Content-Type, no caching, and errors as {"error": "..."}.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "net/http_types.hpp"

namespace culex::ops {

net::HttpResponse json_response(int status, const nlohmann::json& body);
net::HttpResponse json_error(int status, std::string_view message);

// A limit/offset pair from the query: `limit` defaults to `default_limit`, and may not pass `max_limit`.
struct Page {
    std::size_t offset = 0;
    std::size_t limit = 0;
};
// nullopt: not a number, or out of range (the caller answers 400 with `why`).
std::optional<Page> read_page(std::string_view query, std::size_t default_limit, std::size_t max_limit,
                              std::string& why);

}  // namespace culex::ops
