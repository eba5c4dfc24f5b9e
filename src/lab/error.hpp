// The error value of the lab module: one message that names the cause and the fix.
#pragma once

#include <expected>
#include <string>

namespace culex::lab {

struct Error {
    std::string message;
    bool interrupted = false;  // Ctrl-C or SIGTERM: the lab stops, cleans up, and exits 130
};

template <typename T>
using Result = std::expected<T, Error>;

}  // namespace culex::lab
