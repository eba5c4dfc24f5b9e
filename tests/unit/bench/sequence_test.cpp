// SequenceTracker: loss is sent minus unique arrivals; duplicates counted; reordering within the window is
// neither loss nor duplication.
#include <gtest/gtest.h>

#include "bench/sequence.hpp"

namespace culex::bench {
namespace {

TEST(SequenceTracker, InOrderIsAllUnique) {
    SequenceTracker t;
    for (std::uint64_t s = 0; s < 200000; ++s)
        EXPECT_TRUE(t.record(s));
    EXPECT_EQ(t.unique(), 200000u);
    EXPECT_EQ(t.duplicates(), 0u);
}

TEST(SequenceTracker, GapsAreLossAndRepeatsAreDuplicates) {
    SequenceTracker t;
    for (std::uint64_t s : {0, 1, 2, 5, 6, 6, 2, 9})
        t.record(s);
    EXPECT_EQ(t.unique(), 6u);  // 0 1 2 5 6 9: 3, 4, 7, 8 were lost
    EXPECT_EQ(t.duplicates(), 2u);
}

TEST(SequenceTracker, LateArrivalWithinWindowIsNotADuplicate) {
    SequenceTracker t;
    for (std::uint64_t s = 0; s < 1000; ++s)
        if (s != 500) t.record(s);
    EXPECT_TRUE(t.record(500));
    EXPECT_FALSE(t.record(500));
    EXPECT_EQ(t.unique(), 1000u);
    EXPECT_EQ(t.duplicates(), 1u);
}

TEST(SequenceTracker, SlotsAreForgottenWhenTheWindowMoves) {
    SequenceTracker t;
    t.record(0);
    t.record(SequenceTracker::kWindow + 10);  // a jump past the window clears it
    // The slot 0 shared with kWindow now stands for kWindow: arriving, it is new, not a duplicate of 0.
    EXPECT_TRUE(t.record(SequenceTracker::kWindow));
    EXPECT_TRUE(t.record(SequenceTracker::kWindow + 11));
    EXPECT_FALSE(t.record(SequenceTracker::kWindow + 11));
    // Older than the window: cannot be judged, counted once as unique and reported as late.
    EXPECT_TRUE(t.record(1));
    EXPECT_EQ(t.too_late(), 1u);
}

TEST(SequenceTracker, SmallGapClearsTheSlotsBetween) {
    SequenceTracker t;
    for (std::uint64_t s = 0; s < SequenceTracker::kWindow; ++s)
        t.record(s);
    // kWindow + 3 reuses slot 3; kWindow..kWindow+2 must not look seen from their first lap.
    t.record(SequenceTracker::kWindow + 3);
    EXPECT_TRUE(t.record(SequenceTracker::kWindow + 1));
    EXPECT_EQ(t.duplicates(), 0u);
}

}  // namespace
}  // namespace culex::bench
