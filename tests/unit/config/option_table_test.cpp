// The rules the option table makes checkable: every option is written as its name first (the usage is quoted
// in error messages), and every option is documented in docs/config.md, where users look for it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "config/parser.hpp"

namespace culex::config::parsing {
namespace {

std::string read_docs() {
    const char* root = std::getenv("CULEX_SOURCE_DIR");
    std::ifstream in(std::string(root ? root : ".") + "/docs/config.md");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(OptionTable, EveryUsageStartsWithItsOptionName) {
    for (const auto& [name, spec] : option_table()) {
        EXPECT_EQ(spec.name, name);
        const bool name_first = spec.usage.starts_with(name) &&
                                (spec.usage.size() == name.size() || spec.usage[name.size()] == ' ');
        EXPECT_TRUE(name_first) << "usage of '" << name << "' is '" << spec.usage << "'";
        EXPECT_NE(spec.handle, nullptr) << name;
    }
}

TEST(OptionTable, EveryOptionIsDocumented) {
    const std::string docs = read_docs();
    ASSERT_FALSE(docs.empty()) << "docs/config.md not found: set CULEX_SOURCE_DIR to the checkout";
    for (const auto& [name, spec] : option_table()) {
        std::string quoted = "`";
        quoted.append(name).append(" ");
        EXPECT_NE(docs.find(quoted), std::string::npos)
            << "docs/config.md does not describe '" << name << "'";
    }
}

}  // namespace
}  // namespace culex::config::parsing
