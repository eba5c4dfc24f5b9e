#include "auth/acl.hpp"

#include <gtest/gtest.h>

#include "unit/auth/temp_dir.hpp"

namespace culex::auth {
namespace {

constexpr auto R = Access::read;
constexpr auto W = Access::write;
constexpr auto S = Access::subscribe;

constexpr std::string_view kAclFile = R"(# Anonymous clients: before the first user line
topic read public/#
topic deny public/private/#

user alice
topic readwrite alice/#
topic read shared/#
topic deny shared/secret
topic write inbox/+
topic   read   spaced topic/x
topic everything/rw

user bob
topic read shared/#
topic read alice/#
topic deny alice/diary

# Patterns: every client
pattern readwrite clients/%c/#
pattern write users/%u/out
pattern deny clients/%c/locked
pattern read $SYS/broker/clients/%c
pattern read mixed/%c-%u/x
)";

Acl parse(std::string_view text) {
    auto acl = Acl::parse(text, "acl");
    EXPECT_TRUE(acl) << acl.error().message;
    return acl ? std::move(*acl) : Acl::parse("", "empty").value();
}

struct Check {
    ClientIdentity who;
    Access access;
    std::string_view target;
    bool allowed;
};

const char* name(Access access) {
    return access == R ? "read" : access == W ? "write" : "subscribe";
}

void expect_table(const Acl& acl, std::initializer_list<Check> checks) {
    for (const auto& c : checks) {
        EXPECT_EQ(acl.allows(c.who, c.access, c.target), c.allowed)
            << "client " << c.who.client_id << " user " << c.who.username.value_or("(anonymous)") << " "
            << name(c.access) << " " << c.target;
    }
}

const ClientIdentity kAnon{"anon-1", std::nullopt};
const ClientIdentity kAlice{"alice-phone", "alice"};
const ClientIdentity kBob{"bob-pc", "bob"};
const ClientIdentity kCarol{"carol-1", "carol"};  // a user with no section of her own

TEST(Acl, UserRules) {
    auto acl = parse(kAclFile);
    expect_table(acl,
                 {
                     {kAlice, R, "alice/notes", true},
                     {kAlice, W, "alice/notes", true},
                     {kAlice, R, "shared/news", true},
                     {kAlice, W, "shared/news", false},  // read only
                     {kAlice, W, "inbox/bob", true},
                     {kAlice, R, "inbox/bob", false},  // write only
                     {kAlice, W, "inbox/bob/deeper", false},
                     {kAlice, R, "spaced topic/x", true},  // the filter is the rest of the line
                     {kAlice, R, "everything/rw", true},   // no access word: readwrite
                     {kAlice, W, "everything/rw", true},
                     {kAlice, R, "bob/anything", false},
                     {kAlice, R, "public/news", false},  // anonymous rules are for anonymous clients only
                     {kBob, R, "alice/notes", true},
                     {kBob, W, "alice/notes", false},
                 });
}

TEST(Acl, DenyWinsWhereverItIsWritten) {
    auto acl = parse(kAclFile);
    expect_table(acl, {
                          {kAlice, R, "shared/secret", false},  // deny written after the grant
                          {kAlice, R, "shared/other", true},
                          {kBob, R, "alice/diary", false},  // deny written last, grant first
                          {kAnon, R, "public/private/x", false},
                          {kAnon, R, "public/private", false},
                          {kAnon, R, "public/x", true},
                          // A deny pattern beats a grant pattern written before it.
                          {kAlice, R, "clients/alice-phone/locked", false},
                          {kAlice, R, "clients/alice-phone/free", true},
                      });
    // A deny that comes first in the file beats a later grant too.
    auto deny_first = parse("topic deny a/b\ntopic readwrite a/#\n");
    expect_table(deny_first, {{kAnon, R, "a/b", false}, {kAnon, R, "a/c", true}});
}

TEST(Acl, OwnRulesAreDecidedBeforePatterns) {
    // As in Mosquitto: a grant in the user's own rules is final, even where a deny pattern matches; a deny in
    // the user's rules is final too, even where a pattern grants.
    auto acl = parse(
        "user alice\ntopic read x/alice-phone/y\ntopic deny clients/alice-phone/mine\n"
        "pattern deny x/%c/#\npattern readwrite clients/%c/#\n");
    expect_table(acl, {
                          {kAlice, R, "x/alice-phone/y", true},
                          {kAlice, R, "x/alice-phone/z", false},
                          {kAlice, R, "clients/alice-phone/mine", false},
                          {kAlice, R, "clients/alice-phone/other", true},
                      });
}

TEST(Acl, PatternSubstitution) {
    auto acl = parse(kAclFile);
    expect_table(acl, {
                          {kAlice, R, "clients/alice-phone/status", true},
                          {kAlice, W, "clients/alice-phone/status", true},
                          {kAlice, R, "clients/bob-pc/status", false},
                          {kAnon, W, "clients/anon-1/x", true},  // %c applies to anonymous clients
                          {kCarol, W, "users/carol/out", true},
                          {kCarol, R, "users/carol/out", false},
                          {kCarol, W, "users/alice/out", false},
                          {kAnon, W, "users//out", false},  // %u rules skip anonymous clients
                          {kAlice, R, "$SYS/broker/clients/alice-phone", true},
                          {kAlice, R, "$SYS/broker/clients/bob-pc", false},
                          {kAlice, R, "mixed/alice-phone-alice/x", true},  // substituted inside a level
                          {kAnon, R, "mixed/anon-1-%u/x", false},
                      });
}

TEST(Acl, WildcardsInIdentityNeverWidenPatterns) {
    auto acl = parse(kAclFile);
    expect_table(acl, {
                          {{"#", std::nullopt}, R, "clients/anything/x", false},
                          {{"+", "carol"}, W, "clients/x/y", false},
                          {{"c1", "+"}, W, "users/eve/out", false},
                          {{"c1", "#"}, W, "users/x/out", false},
                      });
    // The user's own rules still apply: the check only guards substitution.
    expect_table(acl, {{{"alice+phone", "alice"}, R, "alice/notes", true}});
}

TEST(Acl, AnonymousRules) {
    auto acl = parse(kAclFile);
    expect_table(acl, {
                          {kAnon, R, "public/news", true},
                          {kAnon, W, "public/news", false},
                          {kAnon, R, "alice/notes", false},
                          {kCarol, R, "public/news", false},  // a named user is never anonymous
                      });
    auto none = parse("user alice\ntopic read a\n");
    expect_table(none, {{kAnon, R, "a", false}, {kCarol, R, "a", false}, {kAlice, R, "a", true}});
}

TEST(Acl, DollarTopicsNeedDollarRules) {
    auto acl = parse("topic readwrite #\ntopic read $SYS/broker/#\n");
    expect_table(acl, {
                          {kAnon, R, "anything", true},
                          {kAnon, R, "$SYS/broker/uptime", true},
                          {kAnon, R, "$SYS/other", false},  // "#" does not reach $ topics
                          {kAnon, W, "$SYS/broker/uptime", false},
                      });
}

TEST(Acl, SubscribeIsFilterAgainstFilter) {
    auto acl = parse(kAclFile);
    expect_table(acl, {
                          {kAlice, S, "alice/#", true},
                          {kAlice, S, "alice/+/x", true},
                          {kAlice, S, "shared/#", true},  // granted; shared/secret is withheld at delivery
                          {kAlice, S, "shared/secret", false},
                          // Granted where a grant shares topics with it: alice gets alice/notes and
                          // the rest of what she may read; the read check at delivery withholds the rest.
                          {kAlice, S, "#", true},
                          {kAlice, S, "+/notes", true},
                          {kAlice, S, "nobody/+", false},   // no rule of hers can grant any of it
                          {kAlice, S, "inbox/bob", false},  // write only: no reading
                          {kAlice, S, "clients/alice-phone/#", true},
                          {kAlice, S, "clients/+/#", true},  // through the pattern, for her own client id
                          {kAlice, S, "clients/alice-phone/locked", false},
                          {kAlice, S, "$share/group/alice/x", true},  // judged by the filter inside
                          {kAlice, S, "$share/group/bob/x", false},
                          {kAnon, S, "public/+", true},
                          {kAnon, S, "public/private/#", false},
                      });
}

TEST(Acl, AccessWordsAndLoneFilter) {
    // "topic read" alone names the topic "read", as in Mosquitto.
    auto acl = parse("topic read\ntopic write w\ntopic readwrite rw\ntopic deny d\ntopic d2\n");
    expect_table(acl, {
                          {kAnon, R, "read", true},
                          {kAnon, W, "read", true},
                          {kAnon, R, "w", false},
                          {kAnon, W, "w", true},
                          {kAnon, R, "rw", true},
                          {kAnon, W, "rw", true},
                          {kAnon, R, "d", false},
                          {kAnon, W, "d", false},
                          {kAnon, W, "d2", true},
                      });
}

TEST(Acl, UserSectionsMergeAndNamesMayHoldSpaces) {
    auto acl = parse(
        "user alice\ntopic read a\nuser bob\ntopic read b\nuser alice\ntopic read c\n"
        "user  Jane Doe \ntopic read j\n");
    ClientIdentity jane{"j1", "Jane Doe"};
    expect_table(acl, {
                          {kAlice, R, "a", true},
                          {kAlice, R, "c", true},
                          {kAlice, R, "b", false},
                          {jane, R, "j", true},
                      });
}

TEST(Acl, EmptyFileDeniesEverything) {
    auto acl = parse("# nothing yet\n");
    expect_table(acl, {{kAnon, R, "a", false}, {kAlice, W, "a", false}, {kAlice, S, "#", false}});
}

TEST(Acl, ToleratesCrlfTabsAndIndentation) {
    auto acl = parse("  user alice\r\n\ttopic\tread\ta/b\r\n   # indented comment\r\n");
    expect_table(acl, {{kAlice, R, "a/b", true}, {kAlice, W, "a/b", false}});
}

TEST(Acl, ErrorsNameFileLineCauseAndFix) {
    struct Case {
        const char* text;
        const char* expected;
    };
    const Case cases[] = {
        {"topic read a\nuser\n", "acl:2: `user` needs a user name"},
        {"topic\n", "acl:1: `topic` needs a topic filter"},
        {"\n\ntopic reed a/b\n", "acl:3: unknown access \"reed\" (expected read, write, readwrite or deny"},
        {"topic read a/#/b\n", "acl:1: \"a/#/b\" is not a valid topic filter"},
        {"pattern read a+/%c\n", "acl:1: \"a+/%c\" is not a valid topic filter"},
        {"topics read a\n", "acl:1: unknown keyword \"topics\" (expected topic, pattern or user)"},
    };
    for (const auto& c : cases) {
        auto acl = Acl::parse(c.text, "acl");
        ASSERT_FALSE(acl) << c.text;
        EXPECT_NE(acl.error().message.find(c.expected), std::string::npos) << acl.error().message;
    }
}

TEST(Acl, WarnsAboutPatternsWithoutSubstitution) {
    auto acl = parse("pattern read fixed/topic\npattern read ok/%u\n");
    ASSERT_EQ(acl.warnings().size(), 1u);
    EXPECT_EQ(acl.warnings()[0], "acl:1: Warning: ACL pattern 'fixed/topic' does not contain '%c' or '%u'.");
}

TEST(Acl, LoadFromDisk) {
    testing::TempDir dir;
    testing::write_file(dir / "acl", "user alice\ntopic read a/#\n");
    auto acl = Acl::load(dir / "acl");
    ASSERT_TRUE(acl) << acl.error().message;
    EXPECT_TRUE(acl->allows(kAlice, R, "a/b"));
    auto missing = Acl::load(dir / "missing");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("Unable to open acl_file"), std::string::npos);
}

}  // namespace
}  // namespace culex::auth
