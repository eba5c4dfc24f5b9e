// Errors of the load generator, as values: a sentence that names what went wrong and what to do about it.
#pragma once

#include <string>

namespace culex::bench {

struct Error {
    std::string message;
};

}  // namespace culex::bench
