// A hash map keyed by std::string that is searched with a std::string_view, without building a std::string:
// user names are looked up on every CONNECT and ACL check.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace culex::auth {

struct StringViewHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
        return std::hash<std::string_view>{}(text);
    }
};

template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringViewHash, std::equal_to<>>;

}  // namespace culex::auth
