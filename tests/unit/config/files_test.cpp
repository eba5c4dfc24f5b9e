// Reading from disk: load_config, include_dir (order, scoping, errors naming the included file), and options
// culex accepts from Mosquitto but does not implement (warnings).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>

#include "config/config.hpp"
#include "config/include_dir.hpp"
#include "temp_dir.hpp"

namespace culex::config {
namespace {

using testing::TempDir;

TEST(LoadConfig, ReadsAFile) {
    TempDir dir;
    const auto path = dir.write("culex.conf", "listener 18830\nallow_anonymous true\n");
    auto c = load_config(path);
    ASSERT_TRUE(c) << c.error().to_string();
    ASSERT_EQ(c->listeners.size(), 1u);
    EXPECT_EQ(c->listeners[0].port, 18830);
    EXPECT_EQ(c->listeners[0].source_file, path);
    EXPECT_EQ(c->files, std::vector<std::string>{path});
}

TEST(LoadConfig, MissingFileNamesCauseAndFix) {
    TempDir dir;
    const auto path = (dir.path() / "nope.conf").string();
    auto c = load_config(path);
    ASSERT_FALSE(c);
    EXPECT_EQ(
        c.error().to_string(),
        path + ": cannot read the configuration file: No such file or directory; check the path given to -c");
}

TEST(LoadConfig, DirectoryIsNotAFile) {
    TempDir dir;
    auto c = load_config(dir.path().string());
    ASSERT_FALSE(c);
    EXPECT_EQ(
        c.error().message,
        "cannot read the configuration file: it is a directory, not a file; check the path given to -c");
}

TEST(LoadConfig, ErrorsCarryTheFilesName) {
    TempDir dir;
    const auto path = dir.write("culex.conf", "listener 1883\nlistner 1884\n");
    auto c = load_config(path);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().to_string(), path + ":2: unknown option 'listner': did you mean 'listener'?");
}

TEST(IncludeDir, MosquittosLoadOrder) {
    std::vector<std::string> names{"b.conf", "A.conf", "01.conf", "a.conf", "B.conf", "00.conf"};
    std::sort(names.begin(), names.end(), loads_before);
    EXPECT_EQ(names,
              (std::vector<std::string>{"00.conf", "01.conf", "A.conf", "a.conf", "B.conf", "b.conf"}));
}

TEST(IncludeDir, ReadsConfFilesInOrderAsIfIncludedThere) {
    TempDir dir;
    dir.write("conf.d/b.conf", "listener 1885\n");
    dir.write("conf.d/A.conf", "listener 1884\nmax_connections 4\n");
    dir.write("conf.d/notes.txt", "this is not read\n");
    dir.write("conf.d/x.conf.bak", "neither is this\n");
    std::filesystem::create_directories(dir.path() / "conf.d" / "sub.conf");  // a directory: skipped
    const auto main = dir.write("culex.conf", "listener 1883\ninclude_dir " +
                                                  (dir.path() / "conf.d").string() + "\nmax_connections 7\n");
    auto c = load_config(main);
    ASSERT_TRUE(c) << c.error().to_string();
    ASSERT_EQ(c->listeners.size(), 3u);
    EXPECT_EQ(c->listeners[0].port, 1883);
    EXPECT_EQ(c->listeners[1].port, 1884);
    EXPECT_EQ(c->listeners[1].max_connections, 4u);
    EXPECT_EQ(c->listeners[1].source_file, (dir.path() / "conf.d" / "A.conf").string());
    EXPECT_EQ(c->listeners[1].source_line, 1);
    // After the include, options continue to apply to the most recent listener, wherever it was defined.
    EXPECT_EQ(c->listeners[2].port, 1885);
    EXPECT_EQ(c->listeners[2].max_connections, 7u);
    EXPECT_EQ(c->files, (std::vector<std::string>{main, (dir.path() / "conf.d" / "A.conf").string(),
                                                  (dir.path() / "conf.d" / "b.conf").string()}));
}

TEST(IncludeDir, ErrorInIncludedFileNamesThatFile) {
    TempDir dir;
    const auto bad = dir.write("conf.d/10-tls.conf", "listener 8883\n\nrequire_certificate maybe\n");
    const auto main =
        dir.write("culex.conf", "listener 1883\ninclude_dir " + (dir.path() / "conf.d").string() + "\n");
    auto c = load_config(main);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().to_string(), bad + ":3: 'require_certificate' needs true or false, got 'maybe'");
}

TEST(IncludeDir, MissingDirectoryIsAnError) {
    TempDir dir;
    const auto missing = (dir.path() / "missing.d").string();
    auto c = parse_config("include_dir " + missing + "\n", "culex.conf");
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().to_string(),
              "culex.conf:1: include_dir '" + missing +
                  "' cannot be read: No such file or directory; check the path (a relative "
                  "path starts from the directory culex runs in)");
}

TEST(IncludeDir, OnlyFromTheMainFile) {
    TempDir dir;
    dir.write("deeper/x.conf", "listener 1999\n");
    const auto inner = dir.write("conf.d/a.conf", "include_dir " + (dir.path() / "deeper").string() + "\n");
    const auto main =
        dir.write("culex.conf", "listener 1883\ninclude_dir " + (dir.path() / "conf.d").string());
    auto c = load_config(main);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->listeners.size(), 1u);
    ASSERT_EQ(c->warnings.size(), 1u);
    EXPECT_EQ(c->warnings[0].file, inner);
    EXPECT_EQ(c->warnings[0].line, 1);
}

TEST(IncludeDir, MustNotHoldTheMainFile) {
    TempDir dir;
    const auto main = dir.write("culex.conf", "listener 1883\ninclude_dir " + dir.path().string() + "\n");
    auto c = load_config(main);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().to_string(), main + ":2: include_dir '" + dir.path().string() +
                                         "' contains the main configuration file " + main +
                                         ": move one of them elsewhere");
}

TEST(Unimplemented, AcceptedWithAWarning) {
    auto c = parse_config(R"(listener 1883
allow_duplicate_messages true
auth_plugin_deny_special_chars true
auth_opt_db_host localhost
websockets_log_level 255
log_dest dlt
)",
                          "culex.conf");
    ASSERT_TRUE(c) << c.error().to_string();
    std::vector<std::string> warnings;
    for (const auto& w : c->warnings)
        warnings.push_back(w.to_string());
    EXPECT_EQ(
        warnings,
        (std::vector<std::string>{
            "culex.conf:2: allow_duplicate_messages true has no effect: culex sends a client one copy of a "
            "message that matches several of its subscriptions, at the highest of their QoS, as 'false' does "
            "in Mosquitto (docs/compat.md)",
            "culex.conf:3: 'auth_plugin_deny_special_chars' is not implemented in culex yet (plugins); the "
            "line "
            "is ignored",
            "culex.conf:4: 'auth_opt_db_host' is not implemented in culex yet (plugins); the line is ignored",
            "culex.conf:5: 'websockets_log_level' is not implemented in culex yet (websockets logging); the "
            "line is ignored",
            "culex.conf:6: culex does not implement the 'dlt' log destination yet; the line is ignored "
            "(without another log_dest, culex logs to stderr)",
        }));
    EXPECT_TRUE(c->log.to_stderr);  // dlt alone does not silence the log
}

TEST(AllowDuplicateMessages, FalseIsWhatCulexDoesAndNeedsNoWord) {
    auto c = parse_config("allow_duplicate_messages false\n", "culex.conf");
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_TRUE(c->warnings.empty());
    auto bad = parse_config("allow_duplicate_messages maybe\n", "culex.conf");
    ASSERT_FALSE(bad);
}

TEST(Unimplemented, WhatCouldChangeWhoGetsInIsRefused) {
    // Ignoring an authentication plugin could let in clients it keeps out; PSK or an engine would leave a
    // listener without the credentials it was meant to have; http_dir would serve nothing.
    const std::pair<std::string, std::string> refused[] = {
        {"plugin /usr/lib/mosquitto_dynamic_security.so", "'plugin' is not implemented in culex (plugins): "},
        {"auth_plugin /usr/lib/auth.so", "'auth_plugin' is not implemented in culex (plugins): "},
        {"global_plugin /usr/lib/p.so", "'global_plugin' is not implemented in culex (plugins): "},
        {"psk_file /etc/mosquitto/psk", "'psk_file' is not implemented in culex (TLS-PSK): "},
        {"psk_hint lab", "'psk_hint' is not implemented in culex (TLS-PSK): "},
        {"tls_engine pkcs11", "'tls_engine' is not implemented in culex (TLS engines): "},
        {"http_dir /var/www",
         "'http_dir' is not implemented in culex (serving files over HTTP on a websockets "
         "listener): "},
    };
    for (const auto& [line, start] : refused) {
        auto c = parse_config("listener 1883\n" + line + "\n", "culex.conf");
        ASSERT_FALSE(c) << line;
        EXPECT_TRUE(c.error().to_string().starts_with("culex.conf:2: " + start)) << c.error().to_string();
    }
    auto plugin = parse_config("listener 1883\nplugin /usr/lib/p.so\n", "culex.conf");
    ASSERT_FALSE(plugin);
    EXPECT_NE(plugin.error().to_string().find("use password_file and acl_file"), std::string::npos);
}

// Ignoring OCSP would accept a revoked certificate: refused.
TEST(Unimplemented, BridgeOcspIsRefused) {
    auto c = parse_config(
        "listener 1883\nconnection cloud\naddress h\ntopic # out\nbridge_require_ocsp true\n", "culex.conf");
    ASSERT_FALSE(c);
    EXPECT_TRUE(
        c.error().to_string().starts_with("culex.conf:5: 'bridge_require_ocsp' is not implemented in culex"))
        << c.error().to_string();
}

TEST(Unimplemented, BridgeOptionWithoutConnectionIsRefused) {
    auto c = parse_config("listener 1883\ntry_private false\n", "culex.conf");
    ASSERT_FALSE(c);
    EXPECT_EQ(
        c.error().to_string(),
        "culex.conf:2: 'try_private' is a bridge option, but no 'connection NAME' line comes before it: "
        "start the bridge with 'connection NAME' and put its options below");
}

// Debian's example mosquitto.conf is all comments: it must load as is (local-only mode, no warnings).
TEST(LoadConfig, DebiansExampleLoads) {
    const std::string example = "/usr/share/doc/mosquitto/examples/mosquitto.conf";
    if (!std::filesystem::exists(example)) GTEST_SKIP() << example << " is not installed";
    auto c = load_config(example);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_TRUE(c->local_only);
}

// Every option Debian's example mosquitto.conf mentions ("#max_keepalive 65535") is one culex knows: read, or
// accepted with a warning; never "unknown option".
TEST(LoadConfig, KnowsEveryOptionInDebiansExample) {
    const std::string example = "/usr/share/doc/mosquitto/examples/mosquitto.conf";
    if (!std::filesystem::exists(example)) GTEST_SKIP() << example << " is not installed";
    std::ifstream in(example);
    const std::regex option_line(R"(^#([a-z][a-z0-9_.]*[a-z0-9])( .*)?$)");
    int checked = 0;
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (!std::regex_match(line, m, option_line)) continue;
        auto c = parse_config(m[1].str() + " x", "example.conf");
        if (!c) EXPECT_FALSE(c.error().message.starts_with("unknown option")) << c.error().to_string();
        ++checked;
    }
    EXPECT_GT(checked, 80);
}

}  // namespace
}  // namespace culex::config
