// The tree of remote interest answers as NATS's own subject matching would.
#include "cluster/interest_trie.hpp"

#include <gtest/gtest.h>

namespace culex::cluster {
namespace {

InterestTrie trie_of(std::initializer_list<std::string_view> subjects) {
    InterestTrie trie;
    for (auto subject : subjects)
        trie.add(subject);
    return trie;
}

TEST(InterestTrie, EmptyMatchesNothing) {
    InterestTrie trie;
    EXPECT_TRUE(trie.empty());
    EXPECT_FALSE(trie.matches("culex.msg.a"));
}

TEST(InterestTrie, LiteralSubjectsMatchOnlyThemselves) {
    auto trie = trie_of({"culex.msg.a.b"});
    EXPECT_TRUE(trie.matches("culex.msg.a.b"));
    EXPECT_FALSE(trie.matches("culex.msg.a"));
    EXPECT_FALSE(trie.matches("culex.msg.a.b.c"));
    EXPECT_FALSE(trie.matches("culex.msg.a.c"));
}

TEST(InterestTrie, StarIsExactlyOneToken) {
    auto trie = trie_of({"culex.msg.a.*.c"});
    EXPECT_TRUE(trie.matches("culex.msg.a.x.c"));
    EXPECT_TRUE(trie.matches("culex.msg.a.%-.c"));
    EXPECT_FALSE(trie.matches("culex.msg.a.c"));
    EXPECT_FALSE(trie.matches("culex.msg.a.x.y.c"));
}

TEST(InterestTrie, GreaterThanIsOneOrMoreTokens) {
    auto trie = trie_of({"culex.msg.a.>"});
    EXPECT_TRUE(trie.matches("culex.msg.a.b"));
    EXPECT_TRUE(trie.matches("culex.msg.a.b.c.d"));
    EXPECT_FALSE(trie.matches("culex.msg.a"));  // MQTT's a/# needs the parent subject as well
    EXPECT_FALSE(trie.matches("culex.msg.b.c"));
}

TEST(InterestTrie, LiteralAndWildcardBranchesAreBothTried) {
    // The literal branch a.b leads nowhere for a.b.z; the `*` branch must still be tried.
    auto trie = trie_of({"culex.msg.a.b.c", "culex.msg.a.*.z"});
    EXPECT_TRUE(trie.matches("culex.msg.a.b.z"));
    EXPECT_TRUE(trie.matches("culex.msg.a.b.c"));
    EXPECT_FALSE(trie.matches("culex.msg.a.b.y"));
}

TEST(InterestTrie, EverythingUnderThePrefix) {
    auto trie = trie_of({"culex.msg.>"});
    EXPECT_TRUE(trie.matches("culex.msg.x"));
    EXPECT_TRUE(trie.matches("culex.msg.%24SYS.x"));
    EXPECT_FALSE(trie.matches("culex.retained.x"));
}

}  // namespace
}  // namespace culex::cluster
