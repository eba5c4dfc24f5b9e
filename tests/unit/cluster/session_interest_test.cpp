// What the cluster's persistent sessions could want stored: only their QoS 1/2, unshared subscriptions, each
// subject counted across records; unsure (before the records are read, a record just deleted) means stored.
#include "cluster/session_interest.hpp"

#include <gtest/gtest.h>

namespace culex::cluster {
namespace {

using broker::ClusterSubscription;
using protocol::QoS;

ClusterSubscription sub(std::string filter, QoS qos = QoS::at_least_once) {
    ClusterSubscription s{std::move(filter), {}};
    s.options.max_qos = qos;
    return s;
}

bool stored(SessionInterest& interest, std::string_view subject) {
    std::uint64_t version = 0;
    return interest.trie(version)->matches(subject);
}

TEST(SessionInterest, BeforeTheRecordsAreReadEverythingIsStored) {
    SessionInterest interest;
    EXPECT_TRUE(stored(interest, "culex.stored.any.topic"));
    auto before = interest.version();
    interest.loaded();
    EXPECT_NE(interest.version(), before);
    EXPECT_FALSE(stored(interest, "culex.stored.any.topic"));
    EXPECT_TRUE(interest.wait_loaded(std::chrono::milliseconds(0)));
}

TEST(SessionInterest, OnlyWhatARecordedSubscriptionMatchesIsStored) {
    SessionInterest interest;
    interest.loaded();
    EXPECT_TRUE(interest.put("c01", {sub("a/+/c"), sub("d/#")}));
    EXPECT_TRUE(stored(interest, "culex.stored.a.b.c"));
    EXPECT_TRUE(stored(interest, "culex.stored.d"));  // `d/#` matches `d` too
    EXPECT_TRUE(stored(interest, "culex.stored.d.e.f"));
    EXPECT_FALSE(stored(interest, "culex.stored.a.b"));
    EXPECT_FALSE(stored(interest, "culex.stored.x"));
}

TEST(SessionInterest, QosZeroAndSharedSubscriptionsAreNotStoredFor) {
    SessionInterest interest;
    interest.loaded();
    interest.put("c01", {sub("zero", QoS::at_most_once), sub("$share/g/shared")});
    EXPECT_FALSE(stored(interest, "culex.stored.zero"));
    EXPECT_FALSE(stored(interest, "culex.stored.shared"));
    EXPECT_EQ(interest.subject_count(), 0u);
}

TEST(SessionInterest, ARewriteWithTheSameSubscriptionsChangesNothing) {
    // A checkpoint rewrites every connected session's record each second: no rebuild for it.
    SessionInterest interest;
    interest.loaded();
    EXPECT_TRUE(interest.put("c01", {sub("a")}));
    auto version = interest.version();
    EXPECT_FALSE(interest.put("c01", {sub("a")}));
    EXPECT_EQ(interest.version(), version);
    EXPECT_TRUE(interest.put("c01", {sub("a"), sub("b")}));
    EXPECT_NE(interest.version(), version);
    EXPECT_TRUE(stored(interest, "culex.stored.b"));
}

TEST(SessionInterest, ASubjectWantedByTwoSessionsStaysUntilBothLetGo) {
    SessionInterest interest;
    interest.loaded();
    interest.put("c01", {sub("a")});
    interest.put("c02", {sub("a")});
    interest.put("c01", {});  // unsubscribed
    EXPECT_TRUE(stored(interest, "culex.stored.a"));
    interest.put("c02", {sub("b")});
    EXPECT_FALSE(stored(interest, "culex.stored.a"));
    EXPECT_TRUE(stored(interest, "culex.stored.b"));
}

TEST(SessionInterest, ADeletedRecordCountsForAGraceAndARewriteKeepsIt) {
    // A session resumed on another node: its record is deleted, then written again by the new node.
    SessionInterest interest;
    interest.loaded();
    interest.put("c01", {sub("a")});
    auto now = SessionInterest::Clock::now();
    interest.remove("c01", now);
    EXPECT_EQ(interest.session_count(), 0u);
    interest.prune(now + SessionInterest::kRemovalGrace / 2);
    EXPECT_TRUE(stored(interest, "culex.stored.a"));
    EXPECT_TRUE(interest.put("c01", {sub("a")}));  // back: counted again, once
    interest.prune(now + SessionInterest::kRemovalGrace * 2);
    EXPECT_TRUE(stored(interest, "culex.stored.a"));
    EXPECT_EQ(interest.session_count(), 1u);
    interest.remove("c01", now);
    interest.prune(now + SessionInterest::kRemovalGrace);
    EXPECT_FALSE(stored(interest, "culex.stored.a"));
    EXPECT_EQ(interest.subject_count(), 0u);
}

TEST(SessionInterest, ARecordRemovedAgainCountsUntilItsLastRemovalsGrace) {
    SessionInterest interest;
    interest.loaded();
    interest.put("c01", {sub("a")});
    auto t1 = SessionInterest::Clock::now();
    auto t2 = t1 + SessionInterest::kRemovalGrace / 2;
    interest.remove("c01", t1);
    interest.put("c01", {sub("a")});
    interest.remove("c01", t2);
    interest.prune(t1 + SessionInterest::kRemovalGrace);  // the first removal's grace: not the record's
    EXPECT_TRUE(stored(interest, "culex.stored.a"));
    interest.prune(t2 + SessionInterest::kRemovalGrace);
    EXPECT_FALSE(stored(interest, "culex.stored.a"));
}

TEST(SessionInterest, StoredSubjectsAreSortedAndOnce) {
    auto subjects = stored_subjects({sub("b"), sub("a"), sub("b"), sub("$share/g/c")});
    EXPECT_EQ(subjects, (std::vector<std::string>{"culex.stored.a", "culex.stored.b"}));
}

}  // namespace
}  // namespace culex::cluster
