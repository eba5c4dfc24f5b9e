// What went wrong (or is worth knowing) in a configuration file, located by file and line, worded to name the
// cause and the fix: "culex.conf:3: unknown option 'listner': did you mean 'listener'?".
#pragma once

#include <string>

namespace culex::config {

struct ConfigError {
    std::string file;
    int line = 0;  // 0: about the file as a whole (it cannot be read, a listener lacks a keyfile, ...)
    std::string message;

    // "file:line: message", or "file: message" when there is no line.
    std::string to_string() const;
};

// A line culex accepted but will not act on: an option Mosquitto documents that culex does not implement yet.
struct ConfigWarning {
    std::string file;
    int line = 0;
    std::string message;

    std::string to_string() const;
};

}  // namespace culex::config
