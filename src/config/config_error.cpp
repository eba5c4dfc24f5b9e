#include "config/config_error.hpp"

#include <fmt/format.h>

namespace culex::config {

namespace {

std::string located(const std::string& file, int line, const std::string& message) {
    if (line > 0) return fmt::format("{}:{}: {}", file, line, message);
    return fmt::format("{}: {}", file, message);
}

}  // namespace

std::string ConfigError::to_string() const {
    return located(file, line, message);
}

std::string ConfigWarning::to_string() const {
    return located(file, line, message);
}

}  // namespace culex::config
