#include "auth/password_file.hpp"

#include <gtest/gtest.h>

#include "unit/auth/temp_dir.hpp"

namespace culex::auth {
namespace {

constexpr HashOptions kFast{HashAlgorithm::sha512_pbkdf2, 1000};

std::string line_for(std::string_view user, std::string_view password) {
    return std::string(user) + ":" + hash_password(password, kFast)->to_string();
}

TEST(PasswordFile, SkipsCommentsBlankLinesAndToleratesCrlfAndBlanks) {
    std::string text = "# users\n\n" + line_for("alice", "a1") + "\r\n   \n  " + line_for("bob", "b2") +
                       "  \n" + "\t# indented comment\n" + line_for("carol", "c3");  // no final newline
    auto file = PasswordFile::parse(text, "pw");
    ASSERT_TRUE(file) << file.error().message;
    EXPECT_EQ(file->size(), 3u);
    EXPECT_TRUE(file->verify("alice", "a1"));
    EXPECT_TRUE(file->verify("bob", "b2"));
    EXPECT_TRUE(file->verify("carol", "c3"));
    EXPECT_TRUE(file->has_user("bob"));
    EXPECT_FALSE(file->has_user("Bob"));
}

TEST(PasswordFile, VerifyRefusesWrongPasswordsAndUnknownUsers) {
    auto file = PasswordFile::parse(line_for("alice", "right") + "\n", "pw");
    ASSERT_TRUE(file);
    EXPECT_TRUE(file->verify("alice", "right"));
    EXPECT_FALSE(file->verify("alice", "wrong"));
    EXPECT_FALSE(file->verify("alice", ""));
    EXPECT_FALSE(file->verify("mallory", "right"));
    EXPECT_FALSE(file->verify("", ""));
    EXPECT_FALSE(file->has_user("mallory"));
}

TEST(PasswordFile, AnEmptyPasswordNeverAuthenticatesEvenWhenItIsTheOneHashed) {
    auto file = PasswordFile::parse(line_for("nopass", "") + "\n", "pw");
    ASSERT_TRUE(file) << file.error().message;
    EXPECT_TRUE(file->has_user("nopass"));
    EXPECT_FALSE(file->verify("nopass", ""));
}

TEST(PasswordFile, AnEmptyFileLetsNobodyIn) {
    auto file = PasswordFile::parse("", "pw");
    ASSERT_TRUE(file);
    EXPECT_EQ(file->size(), 0u);
    EXPECT_FALSE(file->verify("anyone", "anything"));
}

TEST(PasswordFile, ErrorsNameFileLineCauseAndFix) {
    struct Case {
        std::string text;
        std::string expected;
    };
    std::string good = line_for("alice", "a");
    const Case cases[] = {
        {"# c\nalice\n", "pw:2: expected USER:HASH"},
        {good + "\nbob:plain\n", "pw:2: user \"bob\": not a password hash"},
        {good + "\nbob:plain\n", "culex passwd -U"},
        {":$7$101$aw3OeRtIIAOksGFK$QQ==\n", "pw:1: the user name before ':' is empty"},
        {good + "\n\n" + good + "\n", "pw:3: user \"alice\" is already defined on line 1"},
        {"carol:$7$101$aw3OeRtIIAOksGFK$QQ==\n", "pw:1: user \"carol\": the hash is 1 bytes long"},
    };
    for (const auto& c : cases) {
        auto file = PasswordFile::parse(c.text, "pw");
        ASSERT_FALSE(file) << c.text;
        EXPECT_NE(file.error().message.find(c.expected), std::string::npos) << file.error().message;
    }
}

TEST(PasswordFile, LoadReportsMissingFileAsMosquittoDoes) {
    testing::TempDir dir;
    auto file = PasswordFile::load(dir / "absent");
    ASSERT_FALSE(file);
    EXPECT_EQ(file.error().message,
              "Unable to open password file " + (dir / "absent").string() + ". No such file or directory.");
    auto directory = PasswordFile::load(dir.path());
    ASSERT_FALSE(directory);
    EXPECT_NE(directory.error().message.find("Is a directory"), std::string::npos);
}

TEST(PasswordFile, LoadReadsFromDisk) {
    testing::TempDir dir;
    testing::write_file(dir / "pw", line_for("alice", "a") + "\n");
    auto file = PasswordFile::load(dir / "pw");
    ASSERT_TRUE(file) << file.error().message;
    EXPECT_TRUE(file->verify("alice", "a"));
}

}  // namespace
}  // namespace culex::auth
