// pki's error value: one message that names what failed, why, and what to do about it.
#pragma once

#include <expected>
#include <string>

namespace culex::pki {

struct Error {
    std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(std::string message) {
    return std::unexpected(Error{std::move(message)});
}

}  // namespace culex::pki
