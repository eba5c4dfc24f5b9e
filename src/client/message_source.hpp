// The payload pub and rr send, from -m, -f, -s or -n (pub's -l is read line by line elsewhere). A file or
// stdin that cannot be read is reported with mosquitto_pub's words.
#pragma once

#include <cstdio>
#include <optional>
#include <string>

#include "client/args.hpp"

namespace culex::client {

// The payload, or nullopt after printing the error to `err`.
std::optional<std::string> load_message(MessageSource source, const std::string& message,
                                        const std::string& file, int in_fd, std::FILE* err);

}  // namespace culex::client
