// Files and formats: modes, no overwrite, PEM detection, key types, dates.
#include "pki/files.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "pki/key.hpp"
#include "pki/pem.hpp"
#include "pki/summary.hpp"
#include "pki_test_support.hpp"

namespace culex::pki {
namespace {

class FilesTest : public testing::TempDir {};

TEST_F(FilesTest, PrivateFilesAreCreated0600EvenUnderAPermissiveUmask) {
    mode_t old = ::umask(0);
    auto written = write_file(path("k.key"), "secret", kPrivateFileMode, Overwrite::refuse);
    ::umask(old);
    ASSERT_TRUE(written);
    EXPECT_EQ(permissions(path("k.key")), 0600u);
    EXPECT_EQ(*read_file(path("k.key")), "secret");
    // No temporary file is left behind.
    EXPECT_EQ(
        std::distance(std::filesystem::directory_iterator(root()), std::filesystem::directory_iterator()), 1);
}

TEST_F(FilesTest, RefuseKeepsTheExistingFileAndAllowReplacesIt) {
    ASSERT_TRUE(write_file(path("f"), "one", kPublicFileMode, Overwrite::refuse));
    auto again = write_file(path("f"), "two", kPublicFileMode, Overwrite::refuse);
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().message.find("already exists"), std::string::npos);
    EXPECT_EQ(*read_file(path("f")), "one");
    ASSERT_TRUE(write_file(path("f"), "two", kPublicFileMode, Overwrite::allow));
    EXPECT_EQ(*read_file(path("f")), "two");
}

TEST_F(FilesTest, ReadingAMissingFileSaysSo) {
    auto missing = read_file(path("nope.crt"));
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("no such file"), std::string::npos);
}

TEST_F(FilesTest, KeyTypesParseAndGenerate) {
    for (const char* text : {"rsa:2048", "rsa:3072", "rsa:4096", "ec:P-256", "ec:P-384", "ed25519"}) {
        auto type = parse_key_type(text);
        ASSERT_TRUE(type) << text;
        EXPECT_EQ(to_string(*type), text);
    }
    EXPECT_FALSE(parse_key_type("rsa:1024"));
    EXPECT_FALSE(parse_key_type("dsa"));
    auto key = generate_key(*parse_key_type("ed25519"));
    ASSERT_TRUE(key);
    auto pem = private_key_pem(key->get());
    ASSERT_TRUE(pem);
    EXPECT_NE(pem->find("BEGIN PRIVATE KEY"), std::string::npos);
    auto back = parse_private_key(*pem);
    ASSERT_TRUE(back);
    EXPECT_EQ(EVP_PKEY_eq(back->get(), key->get()), 1);
}

TEST_F(FilesTest, DetectsWhatAFileHoldsAndSaysWhenItIsTheWrongThing) {
    auto key = generate_key(kDefaultKeyType);
    auto pem = private_key_pem(key->get());
    EXPECT_EQ(detect_kind(*pem), PemKind::private_key);
    auto as_cert = parse_certificates(*pem);
    ASSERT_FALSE(as_cert);
    EXPECT_NE(as_cert.error().message.find("private key, not a certificate"), std::string::npos);
    EXPECT_EQ(detect_kind("hello"), PemKind::unknown);
}

TEST_F(FilesTest, TimesParseAndPrintInUtc) {
    auto t = parse_time("2026-03-01T12:30:00Z");
    ASSERT_TRUE(t);
    EXPECT_EQ(format_time(*t), "2026-03-01 12:30:00 UTC");
    EXPECT_EQ(format_time(*parse_time("2026-03-01")), "2026-03-01 00:00:00 UTC");
    EXPECT_FALSE(parse_time("March 1st"));
}

}  // namespace
}  // namespace culex::pki
