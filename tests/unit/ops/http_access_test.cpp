// Who may read the HTTP listener: allow_anonymous, HTTP Basic against the password file, the throttle.
#include <gtest/gtest.h>

#include "auth/password_file.hpp"
#include "ops/http_access.hpp"

namespace culex::ops {
namespace {

// "prom:scrape-pw" in base64.
constexpr std::string_view kGood = "Basic cHJvbTpzY3JhcGUtcHc=";
// "prom:wrong"
constexpr std::string_view kWrong = "Basic cHJvbTp3cm9uZw==";

broker::AccessPolicy with_passwords() {
    constexpr auth::HashOptions kFast{auth::HashAlgorithm::sha512_pbkdf2, 1000};
    auto file =
        auth::PasswordFile::parse("prom:" + auth::hash_password("scrape-pw", kFast)->to_string(), "pw");
    broker::AccessPolicy policy;
    policy.passwords = std::make_shared<const auth::PasswordFile>(std::move(*file));
    return policy;
}

TEST(BasicCredentials, ParsesUserAndPassword) {
    auto credentials = parse_basic_credentials(kGood);
    ASSERT_TRUE(credentials);
    EXPECT_EQ(credentials->first, "prom");
    EXPECT_EQ(credentials->second, "scrape-pw");
    // The scheme is case-insensitive; a colon in the password belongs to it.
    credentials = parse_basic_credentials("basic dTpwOnc=");  // "u:p:w"
    ASSERT_TRUE(credentials);
    EXPECT_EQ(credentials->first, "u");
    EXPECT_EQ(credentials->second, "p:w");
}

TEST(BasicCredentials, RefusesOtherSchemesAndBadText) {
    EXPECT_FALSE(parse_basic_credentials("Bearer abc"));
    EXPECT_FALSE(parse_basic_credentials("Basic !!!!"));
    EXPECT_FALSE(parse_basic_credentials("Basic dXNlcg=="));  // "user": no colon
    EXPECT_FALSE(parse_basic_credentials(""));
}

TEST(HttpAccess, AnonymousOnlyWhenAllowed) {
    HttpAccess access;
    broker::AccessPolicy open;
    open.allow_anonymous = true;
    EXPECT_EQ(access.check(open, "").verdict, HttpVerdict::allowed);
    broker::AccessPolicy closed;  // allow_anonymous false, no password file: nobody
    EXPECT_EQ(access.check(closed, "").verdict, HttpVerdict::needs_credentials);
    EXPECT_EQ(access.check(closed, kGood).verdict, HttpVerdict::needs_credentials);
}

TEST(HttpAccess, BasicAgainstThePasswordFile) {
    HttpAccess access;
    auto policy = with_passwords();
    EXPECT_EQ(access.check(policy, "").verdict, HttpVerdict::needs_credentials);
    EXPECT_EQ(access.check(policy, kWrong).verdict, HttpVerdict::needs_credentials);
    EXPECT_EQ(access.check(policy, kGood).verdict, HttpVerdict::allowed);
    EXPECT_EQ(access.check(policy, kGood).verdict, HttpVerdict::allowed);  // remembered: no second hash
}

TEST(HttpAccess, FailedChecksAreThrottledPerSecond) {
    HttpAccess access;
    auto policy = with_passwords();
    auto now = std::chrono::steady_clock::now();
    for (int i = 0; i < HttpAccess::kFailuresPerSecond; ++i)
        EXPECT_EQ(access.check(policy, kWrong, now).verdict, HttpVerdict::needs_credentials);
    EXPECT_EQ(access.check(policy, kWrong, now).verdict, HttpVerdict::throttled);
    EXPECT_EQ(access.check(policy, kGood, now).verdict,
              HttpVerdict::throttled);  // not hashed until the second ends
    EXPECT_EQ(access.check(policy, kGood, now + std::chrono::seconds(1)).verdict, HttpVerdict::allowed);
}

TEST(HttpAccess, AReloadedPasswordFileForgetsWhatPassed) {
    HttpAccess access;
    auto policy = with_passwords();
    EXPECT_EQ(access.check(policy, kGood).verdict, HttpVerdict::allowed);
    broker::AccessPolicy reloaded;  // the user is gone from the new file
    constexpr auth::HashOptions kFast{auth::HashAlgorithm::sha512_pbkdf2, 1000};
    auto file = auth::PasswordFile::parse("other:" + auth::hash_password("x", kFast)->to_string(), "pw");
    reloaded.passwords = std::make_shared<const auth::PasswordFile>(std::move(*file));
    EXPECT_EQ(access.check(reloaded, kGood).verdict, HttpVerdict::needs_credentials);
}

TEST(HttpAccess, NamesTheUserAndChecksCredentialsEvenWhereAnonymousIsAllowed) {
    HttpAccess access;
    auto policy = with_passwords();
    policy.allow_anonymous = true;
    auto anonymous = access.check(policy, "");
    EXPECT_EQ(anonymous.verdict, HttpVerdict::allowed);
    EXPECT_FALSE(anonymous.username);
    auto named = access.check(policy, kGood);
    EXPECT_EQ(named.verdict, HttpVerdict::allowed);
    EXPECT_EQ(named.username, "prom");
    // A wrong password is not taken as anonymous: the admin API's rights depend on the name.
    EXPECT_EQ(access.check(policy, kWrong).verdict, HttpVerdict::needs_credentials);
}

}  // namespace
}  // namespace culex::ops
