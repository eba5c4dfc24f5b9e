// tls's error value: one message naming the file or peer, the cause, and the fix.
#pragma once

#include <expected>
#include <string>

namespace culex::tls {

struct Error {
    std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(std::string message) {
    return std::unexpected(Error{std::move(message)});
}

}  // namespace culex::tls
