// The rules the flag tables make checkable: no tool takes a spelling twice, every flag is in its tool's
// --help, every "no value" error names its flag, and the parser reads exactly what the table lists.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "client/args.hpp"
#include "client/usage.hpp"

namespace culex::client {
namespace {

struct ToolCase {
    ClientTool tool;
    const char* name;
    std::string (*usage)();
};

const ToolCase kTools[] = {
    {ClientTool::pub, "pub", pub_usage},
    {ClientTool::sub, "sub", sub_usage},
    {ClientTool::rr, "rr", rr_usage},
};

// `flag` stands in `text` as a word of its own ("-t :", "[-t topic]", "{-f file | -l"), not inside "-tx".
bool mentions(const std::string& text, std::string_view flag) {
    const std::string_view before = " [{|(\n", after = " ]}|),:\n";
    for (auto at = text.find(flag); at != std::string::npos; at = text.find(flag, at + 1)) {
        const auto end = at + flag.size();
        const bool starts = at == 0 || before.find(text[at - 1]) != std::string_view::npos;
        const bool ends = end == text.size() || after.find(text[end]) != std::string_view::npos;
        if (starts && ends) return true;
    }
    return false;
}

std::expected<bool, ArgsStop> parse(ClientTool tool, const std::vector<std::string>& args) {
    switch (tool) {
        case ClientTool::pub:
            if (auto a = parse_pub_args(args); !a) return std::unexpected(a.error());
            break;
        case ClientTool::sub:
            if (auto a = parse_sub_args(args); !a) return std::unexpected(a.error());
            break;
        case ClientTool::rr:
            if (auto a = parse_rr_args(args); !a) return std::unexpected(a.error());
            break;
    }
    return true;
}

TEST(FlagTable, NoToolTakesASpellingTwice) {
    for (const auto& t : kTools) {
        std::set<std::string_view> seen;
        for (const auto& flag : accepted_flags(t.tool)) {
            EXPECT_TRUE(seen.insert(flag.name).second) << t.name << " lists " << flag.name << " twice";
            if (flag.alias.empty()) continue;
            EXPECT_TRUE(seen.insert(flag.alias).second) << t.name << " lists " << flag.alias << " twice";
        }
    }
}

TEST(FlagTable, EveryFlagIsInItsToolsUsage) {
    for (const auto& t : kTools) {
        const std::string usage = t.usage();
        for (const auto& flag : accepted_flags(t.tool))
            EXPECT_TRUE(mentions(usage, flag.name))
                << "culex " << t.name << " --help does not mention " << flag.name;
    }
}

TEST(FlagTable, EveryMissingValueErrorNamesItsFlag) {
    for (const auto& t : kTools) {
        for (const auto& flag : accepted_flags(t.tool)) {
            if (flag.missing.empty()) continue;
            const bool named = flag.missing.starts_with(flag.name) ||
                               (!flag.alias.empty() && flag.missing.starts_with(flag.alias));
            EXPECT_TRUE(named) << flag.name << ": " << flag.missing;
        }
    }
}

// The table is what the parser reads: each spelling, alone at the end of the line, is taken (an error about
// its missing value at most), never an unknown option.
TEST(FlagTable, TheParserKnowsEverySpelling) {
    for (const auto& t : kTools) {
        for (const auto& flag : accepted_flags(t.tool)) {
            for (auto spelling : {flag.name, flag.alias}) {
                if (spelling.empty()) continue;
                auto result = parse(t.tool, {std::string(spelling)});
                if (result) continue;
                EXPECT_EQ(result.error().message.find("Unknown option"), std::string::npos)
                    << t.name << " " << spelling << ": " << result.error().message;
                if (!flag.missing.empty()) {
                    EXPECT_EQ(result.error().message, "Error: " + std::string(flag.missing) + "\n\n")
                        << t.name << " " << spelling;
                }
            }
        }
    }
}

TEST(FlagTable, ToolsKeepTheirOwnFlags) {
    auto names = [](ClientTool tool) {
        std::set<std::string_view> out;
        for (const auto& flag : accepted_flags(tool))
            out.insert(flag.name);
        return out;
    };
    EXPECT_TRUE(names(ClientTool::pub).contains("-r"));
    EXPECT_FALSE(names(ClientTool::sub).contains("-r"));
    EXPECT_TRUE(names(ClientTool::sub).contains("-v"));
    EXPECT_FALSE(names(ClientTool::pub).contains("-v"));
    EXPECT_TRUE(names(ClientTool::rr).contains("-e"));
    EXPECT_FALSE(names(ClientTool::pub).contains("-e"));
}

}  // namespace
}  // namespace culex::client
