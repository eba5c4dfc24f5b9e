// Default options files: Mosquitto's line rules, where the file is, and that the command line comes last.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "client/args.hpp"
#include "client/options_file.hpp"

namespace culex::client {
namespace {

using Words = std::vector<std::string>;

TEST(OptionsFile, OneFlagPerLineValueIsTheRest) {
    EXPECT_EQ(option_file_words("# my broker\n-h broker.lan\n\n-p 1884\r\n-P pass word\n-v\n"),
              (Words{"-h", "broker.lan", "-p", "1884", "-P", "pass word", "-v"}));
}

TEST(OptionsFile, PropertyLinesSplitOnSpaces) {
    EXPECT_EQ(option_file_words("-D connect user-property site lab\n"),
              (Words{"-D", "connect", "user-property", "site", "lab"}));
}

TEST(OptionsFile, Location) {
    EXPECT_EQ(default_options_path("culex_pub", "/x", "/home/u"), "/x/culex_pub");
    EXPECT_EQ(default_options_path("culex_sub", nullptr, "/home/u"), "/home/u/.config/culex_sub");
    EXPECT_EQ(default_options_path("culex_sub", "", "/home/u"), "/home/u/.config/culex_sub");
    EXPECT_FALSE(default_options_path("culex_rr", nullptr, nullptr));
}

TEST(OptionsFile, FileFirstCommandLineWins) {
    auto dir = std::filesystem::temp_directory_path() / ("culex-options-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "culex_pub") << "-h filehost\n-u fileuser\n-P file secret\n-q 1\n";
    ::setenv("XDG_CONFIG_HOME", dir.c_str(), 1);
    Words argv{"-t", "a", "-m", "x", "-q", "2"};
    auto words = with_default_options("culex_pub", argv);
    auto a = parse_pub_args(words);
    ::unsetenv("XDG_CONFIG_HOME");
    std::filesystem::remove_all(dir);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->common.host, "filehost");
    EXPECT_EQ(a->common.username, "fileuser");
    EXPECT_EQ(a->common.password, "file secret");
    EXPECT_EQ(a->common.qos, 2);
}

}  // namespace
}  // namespace culex::client
