#include "auth/password_file_editor.hpp"

#include <gtest/gtest.h>

#include "auth/password_file.hpp"
#include "unit/auth/temp_dir.hpp"

namespace culex::auth {
namespace {

constexpr HashOptions kFast{HashAlgorithm::sha512_pbkdf2, 1000};

TEST(PasswordFileEditor, AddsReplacesAndRemovesUsersKeepingOtherLines) {
    auto editor = PasswordFileEditor::parse("# team\nalice:plain-a\n\nbob:plain-b\n");
    ASSERT_TRUE(editor) << editor.error().message;
    ASSERT_TRUE(editor->set_password("carol", "c", kFast));
    ASSERT_TRUE(editor->set_password("alice", "new-a", kFast));
    EXPECT_TRUE(editor->remove_user("bob"));
    EXPECT_FALSE(editor->remove_user("bob"));
    EXPECT_FALSE(editor->has_user("bob"));

    auto text = editor->text();
    EXPECT_TRUE(text.starts_with("# team\nalice:$7$1000$")) << text;
    EXPECT_NE(text.find("\n\ncarol:$7$1000$"), std::string::npos) << text;
    EXPECT_EQ(text.find("plain-a"), std::string::npos);

    auto file = PasswordFile::parse(text, "edited");
    ASSERT_TRUE(file) << file.error().message;
    EXPECT_TRUE(file->verify("alice", "new-a"));
    EXPECT_TRUE(file->verify("carol", "c"));
    EXPECT_FALSE(file->has_user("bob"));
}

TEST(PasswordFileEditor, ReplacingADuplicatedUserLeavesOneLine) {
    auto editor = PasswordFileEditor::parse("dup:one\nother:x\ndup:two\n");
    ASSERT_TRUE(editor);
    ASSERT_TRUE(editor->set_password("dup", "three", kFast));
    auto text = editor->text();
    EXPECT_EQ(text.find("dup:"), text.rfind("dup:")) << text;
    EXPECT_NE(text.find("other:x"), std::string::npos);
}

TEST(PasswordFileEditor, HashPlaintextLeavesHashedLinesAlone) {
    auto hashed = hash_password("kept", kFast)->to_string();
    auto editor = PasswordFileEditor::parse("alice:" + hashed + "\nbob:  bobs password \n# note\n");
    ASSERT_TRUE(editor);
    auto count = editor->hash_plaintext(kFast);
    ASSERT_TRUE(count);
    EXPECT_EQ(*count, 1u);
    auto text = editor->text();
    EXPECT_NE(text.find("alice:" + hashed + "\n"), std::string::npos) << text;
    EXPECT_NE(text.find("# note\n"), std::string::npos);
    auto file = PasswordFile::parse(text, "upgraded");
    ASSERT_TRUE(file) << file.error().message;
    EXPECT_TRUE(file->verify("alice", "kept"));
    // Blanks around the password are not part of it, as in Mosquitto's reader.
    EXPECT_TRUE(file->verify("bob", "bobs password"));
}

TEST(PasswordFileEditor, CorruptLinesAreReportedWithTheirNumber) {
    auto missing_colon = PasswordFileEditor::parse("alice:x\nnocolon\n");
    ASSERT_FALSE(missing_colon);
    EXPECT_TRUE(missing_colon.error().message.starts_with("Corrupt password file at line 2"))
        << missing_colon.error().message;
    auto empty_secret = PasswordFileEditor::parse("alice:\n");
    ASSERT_FALSE(empty_secret);
    EXPECT_TRUE(empty_secret.error().message.starts_with("Corrupt password file at line 1"));
}

TEST(PasswordFileEditor, UsernameRulesAreMosquittos) {
    EXPECT_TRUE(check_username("alice"));
    EXPECT_TRUE(check_username("äöü with spaces"));
    EXPECT_EQ(check_username("a:b").error().message, "Username must not contain the ':' character.");
    EXPECT_EQ(check_username("a\tb").error().message, "Username must not contain control characters.");
    EXPECT_EQ(check_username(std::string(65536, 'a')).error().message,
              "Username must be less than 65536 characters long.");
    EXPECT_FALSE(check_username(""));
    PasswordFileEditor editor;
    EXPECT_FALSE(editor.set_password("a:b", "x", kFast));
    EXPECT_EQ(editor.text(), "");
}

TEST(PasswordFileEditor, SaveWritesAFileThatLoads) {
    testing::TempDir dir;
    PasswordFileEditor editor;
    ASSERT_TRUE(editor.set_password("alice", "a", kFast));
    ASSERT_TRUE(editor.save(dir / "pw"));
    auto reopened = PasswordFileEditor::open(dir / "pw");
    ASSERT_TRUE(reopened);
    EXPECT_EQ(reopened->text(), editor.text());
    auto missing = PasswordFileEditor::open(dir / "nope");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message,
              "Unable to open password file " + (dir / "nope").string() + ". No such file or directory.");
}

}  // namespace
}  // namespace culex::auth
