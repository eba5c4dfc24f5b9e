#include "auth/password_hash.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include "auth/password_file.hpp"
#include "unit/auth/temp_dir.hpp"

namespace culex::auth {
namespace {

using testing::TempDir;

// Lines written by Debian's mosquitto_passwd 2.0.11 (mosquitto_passwd -b [-H sha512] FILE USER PASSWORD).
constexpr std::string_view kMosquittoPbkdf2 =
    "u:$7$101$aw3OeRtIIAOksGFK$"
    "QsNATpdC1Io28UFgHaavTH13ZpLwB9dYtKKQJfsz49HWVmFHgDBPZip4ss0Fd7nsRJMm6CqMw8g6rcNahMmwkQ"
    "==";  // password "p"
constexpr std::string_view kMosquittoSha512 =
    "u3:$6$9GuD+OyeW1xzoq7w$o2InqHWF7Urvpp0ZpW7oYZ4izCA3vdyViiWUD6MZPsokdtp4hC4Hj9DSae/"
    "4akLtnjOnycSCnTYdBWWvMNpkAg"
    "==";  // password "p3"

constexpr HashOptions kFast{HashAlgorithm::sha512_pbkdf2, 1000};

std::string_view secret_of(std::string_view line) {
    return line.substr(line.find(':') + 1);
}

TEST(PasswordHash, VerifiesStoredMosquittoPbkdf2Line) {
    auto hash = parse_password_hash(secret_of(kMosquittoPbkdf2));
    ASSERT_TRUE(hash) << hash.error().message;
    EXPECT_EQ(hash->algorithm, HashAlgorithm::sha512_pbkdf2);
    EXPECT_EQ(hash->iterations, 101u);
    EXPECT_EQ(hash->salt.size(), kSaltSize);
    EXPECT_TRUE(hash->matches("p"));
    EXPECT_FALSE(hash->matches("P"));
    EXPECT_FALSE(hash->matches("p "));
    EXPECT_FALSE(hash->matches(""));
}

TEST(PasswordHash, VerifiesStoredMosquittoSha512Line) {
    auto hash = parse_password_hash(secret_of(kMosquittoSha512));
    ASSERT_TRUE(hash) << hash.error().message;
    EXPECT_EQ(hash->algorithm, HashAlgorithm::sha512);
    EXPECT_TRUE(hash->matches("p3"));
    EXPECT_FALSE(hash->matches("p"));
}

TEST(PasswordHash, TextFormIsMosquittosAndParsesBack) {
    auto hash = hash_password("s3cret", kFast);
    ASSERT_TRUE(hash);
    auto text = hash->to_string();
    // 12-byte salt = 16 base64 characters, 64-byte hash = 88: the only sizes Mosquitto accepts.
    EXPECT_TRUE(std::regex_match(text, std::regex(R"(\$7\$1000\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==)")))
        << text;
    auto parsed = parse_password_hash(text);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->to_string(), text);
    EXPECT_TRUE(parsed->matches("s3cret"));
    EXPECT_FALSE(parsed->matches("s3cre"));
}

TEST(PasswordHash, DefaultIsPbkdf2WithHighIterationCount) {
    // `culex passwd` without -I hashes at this count:
    // PasswdTool.DefaultHashIsPbkdf2AtTheDefaultIterationCount.
    HashOptions defaults;
    EXPECT_EQ(defaults.algorithm, HashAlgorithm::sha512_pbkdf2);
    EXPECT_EQ(defaults.iterations, kDefaultIterations);
    EXPECT_GE(kDefaultIterations, 100'000u);
}

TEST(PasswordHash, Sha512RoundTrip) {
    auto hash = hash_password("old style", {HashAlgorithm::sha512, 0});
    ASSERT_TRUE(hash);
    EXPECT_TRUE(hash->to_string().starts_with("$6$"));
    auto parsed = parse_password_hash(hash->to_string());
    ASSERT_TRUE(parsed);
    EXPECT_TRUE(parsed->matches("old style"));
    EXPECT_FALSE(parsed->matches("old stylE"));
}

TEST(PasswordHash, EachHashGetsItsOwnSalt) {
    auto a = hash_password("same", kFast);
    auto b = hash_password("same", kFast);
    ASSERT_TRUE(a && b);
    EXPECT_NE(a->salt, b->salt);
    EXPECT_NE(a->to_string(), b->to_string());
}

TEST(PasswordHash, BinaryPasswordsWork) {
    std::string password("a\0b\xff", 4);
    auto hash = hash_password(password, kFast);
    ASSERT_TRUE(hash);
    EXPECT_TRUE(hash->matches(password));
    EXPECT_FALSE(hash->matches(std::string("a\0b", 3)));
}

TEST(PasswordHash, RejectsMalformedHashesWithReason) {
    struct Case {
        std::string text;
        std::string expected_in_error;
    };
    const Case cases[] = {
        {"plaintext", "culex passwd -U"},
        {"$5$abc$def", "not a password hash"},
        {"$7$abc$aw3OeRtIIAOksGFK$QQ==", "iteration count \"abc\""},
        {"$7$0$aw3OeRtIIAOksGFK$QQ==", "iteration count \"0\""},
        {"$7$-5$aw3OeRtIIAOksGFK$QQ==", "iteration count"},
        {"$7$101$aw3OeRtIIAOksGFK", "malformed $7$"},
        {"$7$101$not base64!$QQ==", "salt is not base64"},
        {"$7$101$aw3OeRtIIAOksGFK$QQ==", "1 bytes long, expected 64"},
        {"$6$aw3OeRtIIAOksGFK$QQ==$extra", "malformed $6$"},
        {"$6$aw3OeRtIIAOksGFK$@@@@", "hash is not base64"},
    };
    for (const auto& c : cases) {
        auto hash = parse_password_hash(c.text);
        ASSERT_FALSE(hash) << c.text;
        EXPECT_NE(hash.error().message.find(c.expected_in_error), std::string::npos)
            << c.text << " -> " << hash.error().message;
    }
}

TEST(PasswordHash, RefusesZeroIterations) {
    EXPECT_FALSE(hash_password("x", {HashAlgorithm::sha512_pbkdf2, 0}));
}

// Vectors made now by Debian's mosquitto_passwd, in both of its formats and with a non-default iteration
// count.
TEST(PasswordHash, VerifiesFileWrittenByMosquittoPasswdNow) {
    const char* tool = "/usr/bin/mosquitto_passwd";
    if (!std::filesystem::exists(tool)) GTEST_SKIP() << tool << " is absent (apt install mosquitto)";
    TempDir dir;
    auto file = dir / "passwd";
    auto run = [&](const std::string& args) {
        std::string command = std::string(tool) + " " + args + " >/dev/null 2>&1";
        return std::system(command.c_str());
    };
    ASSERT_EQ(run("-c -b '" + file.string() + "' alice 'wonder land'"), 0);
    ASSERT_EQ(run("-H sha512 -b '" + file.string() + "' bob 'b0b$:%'"), 0);
    ASSERT_EQ(run("-I 2000 -b '" + file.string() + "' carol 'é ü'"), 0);

    auto passwords = PasswordFile::load(file);
    ASSERT_TRUE(passwords) << passwords.error().message;
    EXPECT_EQ(passwords->size(), 3u);
    EXPECT_TRUE(passwords->verify("alice", "wonder land"));
    EXPECT_FALSE(passwords->verify("alice", "wonderland"));
    EXPECT_TRUE(passwords->verify("bob", "b0b$:%"));
    EXPECT_FALSE(passwords->verify("bob", "wonder land"));
    EXPECT_TRUE(passwords->verify("carol", "é ü"));
    EXPECT_FALSE(passwords->verify("carol", "e u"));
    EXPECT_FALSE(passwords->verify("dave", "wonder land"));
    auto text = testing::read_file(file);
    EXPECT_NE(text.find("bob:$6$"), std::string::npos);
    EXPECT_NE(text.find("carol:$7$2000$"), std::string::npos);
}

}  // namespace
}  // namespace culex::auth
