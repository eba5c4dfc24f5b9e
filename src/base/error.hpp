// The error value of culex's modules (auth, bench, pki, sniff, tls, ...): one message that names the file and
// line or the peer when there is one, the cause, and the fix. Modules whose callers need to tell failures
// apart (the client library's exit codes) keep a richer type of their own.
#pragma once

#include <expected>
#include <string>

namespace culex {

struct Error {
    std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(std::string message) {
    return std::unexpected(Error{std::move(message)});
}

}  // namespace culex
