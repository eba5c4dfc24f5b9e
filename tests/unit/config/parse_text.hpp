// Parsing a configuration given as text, for the config tests: the Config it makes (a failure fails the test
// and says why), or the error it gives (a success fails the test).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "config/config.hpp"

namespace culex::config::text_parsing {

inline Config parse_ok(std::string_view text) {
    auto parsed = parse_config(text, "culex.conf");
    EXPECT_TRUE(parsed) << text << "\n -> " << (parsed ? "" : parsed.error().to_string());
    return parsed ? std::move(*parsed) : Config{};
}

inline std::string parse_error(std::string_view text) {
    auto parsed = parse_config(text, "culex.conf");
    EXPECT_FALSE(parsed) << text;
    return parsed ? std::string() : parsed.error().to_string();
}

}  // namespace culex::config::text_parsing
