// The error value of the sniff module: one message that names the cause and the fix.
#pragma once

#include <string>

namespace culex::sniff {

struct Error {
    std::string message;
};

}  // namespace culex::sniff
