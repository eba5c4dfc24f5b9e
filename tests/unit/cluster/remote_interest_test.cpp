// The other nodes' interest as their announcements build it: deltas in sequence, gaps that keep interest
// rather than lose it, snapshots in parts, restarts and departures.
#include "cluster/remote_interest.hpp"

#include <gtest/gtest.h>

namespace culex::cluster {
namespace {

using Update = RemoteInterest::Update;

bool wants(RemoteInterest& remote, std::string_view subject) {
    std::uint64_t version = 0;
    return remote.trie(version)->matches(subject);
}

TEST(RemoteInterest, DeltasInSequenceAddAndRemove) {
    RemoteInterest remote;
    EXPECT_FALSE(wants(remote, "culex.msg.a"));
    auto before = remote.version();
    EXPECT_TRUE(remote.apply_delta(Update{"n1", "i1", 1, "+culex.msg.a"}));
    EXPECT_NE(remote.version(), before);
    EXPECT_TRUE(wants(remote, "culex.msg.a"));
    EXPECT_TRUE(remote.apply_delta(Update{"n1", "i1", 2, "-culex.msg.a"}));
    EXPECT_FALSE(wants(remote, "culex.msg.a"));
}

TEST(RemoteInterest, ASubjectHeldTwiceStaysUntilBothGo) {
    // A node holding one subject plain and in a queue group announces it twice.
    RemoteInterest remote;
    remote.apply_delta(Update{"n1", "i1", 1, "+culex.msg.a"});
    remote.apply_delta(Update{"n1", "i1", 2, "+culex.msg.a"});
    remote.apply_delta(Update{"n1", "i1", 3, "-culex.msg.a"});
    EXPECT_TRUE(wants(remote, "culex.msg.a"));
    remote.apply_delta(Update{"n1", "i1", 4, "-culex.msg.a"});
    EXPECT_FALSE(wants(remote, "culex.msg.a"));
}

TEST(RemoteInterest, AGapKeepsInterestAndAsksForASnapshot) {
    RemoteInterest remote;
    remote.apply_delta(Update{"n1", "i1", 1, "+culex.msg.a"});
    // Sequence 2 was lost: a removal after a gap is not trusted, an addition is.
    EXPECT_FALSE(remote.apply_delta(Update{"n1", "i1", 3, "-culex.msg.a"}));
    EXPECT_TRUE(wants(remote, "culex.msg.a"));
    EXPECT_FALSE(remote.apply_delta(Update{"n1", "i1", 5, "+culex.msg.b"}));
    EXPECT_TRUE(wants(remote, "culex.msg.b"));
    // The snapshot settles it.
    EXPECT_TRUE(remote.apply_snapshot(Update{"n1", "i1", 5, "culex.msg.b\n"}, 1, 1));
    EXPECT_FALSE(wants(remote, "culex.msg.a"));
    EXPECT_TRUE(wants(remote, "culex.msg.b"));
    EXPECT_TRUE(remote.apply_delta(Update{"n1", "i1", 6, "+culex.msg.c"}));
}

TEST(RemoteInterest, ASnapshotInPartsReplacesOnTheLastPart) {
    RemoteInterest remote;
    remote.apply_delta(Update{"n1", "i1", 1, "+culex.msg.old"});
    EXPECT_TRUE(remote.apply_snapshot(Update{"n1", "i1", 7, "culex.msg.a\nculex.msg.b\n"}, 1, 2));
    EXPECT_TRUE(wants(remote, "culex.msg.old"));  // not yet replaced
    EXPECT_TRUE(remote.apply_snapshot(Update{"n1", "i1", 7, "culex.msg.c.>\n"}, 2, 2));
    EXPECT_FALSE(wants(remote, "culex.msg.old"));
    EXPECT_TRUE(wants(remote, "culex.msg.b"));
    EXPECT_TRUE(wants(remote, "culex.msg.c.d"));
    EXPECT_EQ(remote.subject_count(), 3u);
}

TEST(RemoteInterest, AMissingPartIsRefused) {
    RemoteInterest remote;
    EXPECT_FALSE(remote.apply_snapshot(Update{"n1", "i1", 7, "culex.msg.b\n"}, 2, 2));
    EXPECT_FALSE(wants(remote, "culex.msg.b"));
}

TEST(RemoteInterest, ARestartedNodeStartsAfresh) {
    RemoteInterest remote;
    remote.apply_delta(Update{"n1", "i1", 1, "+culex.msg.a"});
    EXPECT_TRUE(remote.apply_delta(Update{"n1", "i2", 1, "+culex.msg.b"}));
    EXPECT_FALSE(wants(remote, "culex.msg.a"));
    EXPECT_TRUE(wants(remote, "culex.msg.b"));
}

TEST(RemoteInterest, UnionOfNodesAndDeparture) {
    RemoteInterest remote;
    remote.apply_delta(Update{"n1", "i1", 1, "+culex.msg.a"});
    remote.apply_delta(Update{"n2", "i2", 1, "+culex.msg.a\n"});
    remote.apply_delta(Update{"n2", "i2", 2, "+culex.msg.b"});
    EXPECT_EQ(remote.node_count(), 2u);
    EXPECT_EQ(remote.subject_count(), 2u);
    remote.forget("n2");
    EXPECT_TRUE(wants(remote, "culex.msg.a"));
    EXPECT_FALSE(wants(remote, "culex.msg.b"));
}

TEST(RemoteInterest, WaitForReturnsTheSilentNodes) {
    RemoteInterest remote;
    remote.apply_delta(Update{"n1", "i1", 1, "+culex.msg.a"});
    auto silent = remote.wait_for({"n1", "n2"}, std::chrono::milliseconds(10));
    EXPECT_EQ(silent, std::vector<std::string>{"n2"});
    EXPECT_TRUE(remote.wait_for({"n1"}, std::chrono::milliseconds(0)).empty());
}

TEST(RemoteInterest, NodesWithoutAClaimAreForgottenAndUnknownLiveOnesNamed) {
    RemoteInterest remote;
    remote.apply_delta(Update{"n1", "i1", 1, "+culex.msg.a"});
    remote.apply_delta(Update{"n2", "i2", 1, "+culex.msg.b"});
    // n2 was killed (its claim lapsed); n3 holds a claim but was never heard from.
    EXPECT_EQ(remote.keep_only({"n1", "n3"}), std::vector<std::string>{"n3"});
    EXPECT_TRUE(wants(remote, "culex.msg.a"));
    EXPECT_FALSE(wants(remote, "culex.msg.b"));
    EXPECT_EQ(remote.node_count(), 1u);
}

TEST(RemoteInterest, TheTrieIsKeptUntilInterestChanges) {
    RemoteInterest remote;
    remote.apply_delta(Update{"n1", "i1", 1, "+culex.msg.a"});
    std::uint64_t first_version = 0, second_version = 0;
    auto first = remote.trie(first_version);
    auto second = remote.trie(second_version);
    EXPECT_EQ(first.get(), second.get());
    EXPECT_EQ(first_version, remote.version());
}

}  // namespace
}  // namespace culex::cluster
