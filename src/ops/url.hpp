// The parts of a request target the admin API reads: percent-decoding (RFC 3986; '+' stays '+', as in a
// path), path segments, and query parameters.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace culex::ops {

// nullopt: a '%' not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text);

// "/a/b%2Fc/" -> {"a", "b%2Fc"}: split on '/', empty segments dropped, not decoded.
std::vector<std::string_view> path_segments(std::string_view path);

// The decoded value of `name` in "a=1&b=2"; nullopt when absent or badly encoded.
std::optional<std::string> query_value(std::string_view query, std::string_view name);

}  // namespace culex::ops
