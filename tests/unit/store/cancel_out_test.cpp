// cancel_out: what it removes from a commit round, and that the store ends up exactly as if it had applied
// everything (checked against a second store that applies the round as it was).
#include "store/cancel_out.hpp"

#include <gtest/gtest.h>

#include "store/memory_store.hpp"
#include "store_test_support.hpp"

namespace culex::store {
namespace {

using testing::inflight;
using testing::queued;
using testing::session;

// Applies `before` to two stores, then the round: as given to one, after cancel_out to the other. Both must
// then hold the same; returns how many operations cancel_out removed.
std::size_t check_equivalent(const std::vector<Batch>& before, std::vector<Batch> round) {
    MemoryStore plain, cancelled;
    for (const auto& b : before) {
        EXPECT_TRUE(plain.commit(b));
        EXPECT_TRUE(cancelled.commit(b));
    }
    std::vector<const Batch*> as_given;
    for (const auto& b : round)
        as_given.push_back(&b);
    EXPECT_TRUE(plain.commit(as_given));
    std::vector<Batch> copy = round;
    std::vector<Batch*> pointers;
    for (auto& b : copy)
        pointers.push_back(&b);
    std::size_t removed = cancel_out(pointers);
    std::vector<const Batch*> reduced(pointers.begin(), pointers.end());
    EXPECT_TRUE(cancelled.commit(reduced));

    auto a = plain.load();
    auto b = cancelled.load();
    EXPECT_TRUE(a && b);
    EXPECT_EQ(a->sessions, b->sessions);
    EXPECT_EQ(a->inflight, b->inflight);
    EXPECT_EQ(a->queues, b->queues);
    for (const auto& q : a->queues) {
        auto pa = plain.read_queue({q.client_id, 0, 100000, 1u << 30});
        auto pb = cancelled.read_queue({q.client_id, 0, 100000, 1u << 30});
        EXPECT_EQ(pa->messages, pb->messages);
    }
    return removed;
}

Batch one(Batch b) {
    return b;
}

TEST(CancelOut, AMessageQueuedAndTakenFromTheQueueInOneRoundIsNeverWritten) {
    std::vector<Batch> before{one(Batch().put_session(session("s")))};
    std::vector<Batch> round;
    round.push_back(Batch().enqueue(queued("s", 7, "a")).enqueue(queued("s", 8, "b")));
    round.push_back(Batch().dequeue("s", 7, 7));
    EXPECT_EQ(check_equivalent(before, round), 2u);  // 7's enqueue and dequeue; 8 stays queued
}

TEST(CancelOut, AnExchangeStartedAndEndedInOneRoundIsNeverWritten) {
    std::vector<Batch> before{one(Batch().put_session(session("s")))};
    InflightRecord released = inflight("s", Direction::outgoing, 3);
    released.state = InflightState::pubrec_received;
    std::vector<Batch> round;
    round.push_back(Batch().put_inflight(inflight("s", Direction::outgoing, 3)));  // PUBLISH sent
    round.push_back(Batch().put_inflight(released).delete_inflight("s", Direction::outgoing, 3));
    EXPECT_EQ(check_equivalent(before, round), 3u);
}

TEST(CancelOut, AnExchangeThatBeganInAnEarlierRoundKeepsItsDelete) {
    // "PUBLISH sent" was committed earlier; "PUBREC received" and the PUBCOMP's delete come in one round: the
    // delete must stay, or the earlier record would survive.
    std::vector<Batch> before{
        one(Batch().put_session(session("s")).put_inflight(inflight("s", Direction::outgoing, 3)))};
    InflightRecord released = inflight("s", Direction::outgoing, 3);
    released.state = InflightState::pubrec_received;
    std::vector<Batch> round;
    round.push_back(Batch().put_inflight(released));
    round.push_back(Batch().delete_inflight("s", Direction::outgoing, 3));
    EXPECT_EQ(check_equivalent(before, round), 1u);
}

TEST(CancelOut, ARangeDequeueAndOtherClientsAreLeftAlone) {
    std::vector<Batch> before{one(Batch().put_session(session("s")).put_session(session("t")))};
    std::vector<Batch> round;
    round.push_back(Batch().enqueue(queued("s", 1)).enqueue(queued("s", 2)).enqueue(queued("t", 3)));
    round.push_back(Batch().dequeue("s", 1, 2).dequeue("t", 4, 4).dequeue("s", 3, 3));
    EXPECT_EQ(check_equivalent(before, round), 0u);
}

TEST(CancelOut, ASessionDeletedInBetweenEndsThePairing) {
    std::vector<Batch> before{one(Batch().put_session(session("s")))};
    std::vector<Batch> round;
    round.push_back(Batch().enqueue(queued("s", 1)).put_inflight(inflight("s", Direction::incoming, 9)));
    round.push_back(Batch().delete_session("s").put_session(session("s")));
    round.push_back(Batch().dequeue("s", 1, 1).delete_inflight("s", Direction::incoming, 9));
    EXPECT_EQ(check_equivalent(before, round), 0u);
}

}  // namespace
}  // namespace culex::store
