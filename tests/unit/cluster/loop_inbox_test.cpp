// A loop's inbox of messages from other nodes: entries come out as they went in, one post per batch, and a
// loop that falls behind makes the node refuse frames rather than hold memory without bound.
#include "cluster/loop_inbox.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace culex::cluster {
namespace {

using Put = LoopInbox::Put;

std::vector<std::string> take_all(LoopInbox& inbox) {
    std::vector<std::string> seen;
    inbox.take([&](const LoopInbox::Entry& e) {
        seen.push_back(std::string(e.subject) + "|" + std::string(e.group) + "|" + std::string(e.frame));
    });
    return seen;
}

TEST(LoopInbox, EntriesComeOutInOrderWithTheirParts) {
    LoopInbox inbox;
    EXPECT_EQ(inbox.put("culex.msg.a", "", "frame1"), Put::queued_first);
    EXPECT_EQ(inbox.put("culex.msg.b", "group", std::string("f\0r", 3)), Put::queued);
    EXPECT_EQ(take_all(inbox), (std::vector<std::string>{"culex.msg.a||frame1",
                                                         "culex.msg.b|group|" + std::string("f\0r", 3)}));
    EXPECT_TRUE(take_all(inbox).empty());
}

TEST(LoopInbox, OnePostPerBatch) {
    LoopInbox inbox;
    EXPECT_EQ(inbox.put("s", "", "1"), Put::queued_first);
    EXPECT_EQ(inbox.put("s", "", "2"), Put::queued);
    take_all(inbox);
    EXPECT_EQ(inbox.put("s", "", "3"), Put::queued_first);  // the last drain took everything: post again
}

TEST(LoopInbox, PastItsLimitFramesAreRefusedUntilTheLoopTakesThem) {
    LoopInbox inbox;
    std::string big(LoopInbox::kLimit / 2, 'x');
    EXPECT_EQ(inbox.put("s", "", big), Put::queued_first);
    EXPECT_EQ(inbox.put("s", "", "small"), Put::queued);
    EXPECT_EQ(inbox.put("s", "", big), Put::full);
    EXPECT_EQ(inbox.refused(), 1u);
    EXPECT_EQ(take_all(inbox).size(), 2u);
    EXPECT_EQ(inbox.put("s", "", big), Put::queued_first);
}

TEST(LoopInbox, OneFrameLargerThanTheLimitIsTakenWhenNothingWaits) {
    LoopInbox inbox;
    std::string huge(LoopInbox::kLimit + 1, 'x');
    EXPECT_EQ(inbox.put("s", "", huge), Put::queued_first);
    EXPECT_EQ(inbox.put("s", "", "x"), Put::full);
    auto seen = take_all(inbox);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].size(), huge.size() + 3);
}

}  // namespace
}  // namespace culex::cluster
