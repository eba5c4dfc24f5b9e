// auth's error value: one message that names the file and line (when there is one), the cause and the fix.
#pragma once

#include <expected>
#include <string>

namespace culex::auth {

struct Error {
    std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(std::string message) {
    return std::unexpected(Error{std::move(message)});
}

}  // namespace culex::auth
