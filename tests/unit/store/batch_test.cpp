// A batch is applied all or none; deletes remove exactly what they name, and ending a session removes all of
// it.
#include "store_test_support.hpp"

namespace culex::store::testing {
namespace {

class Batches : public StoreTest {};

TEST_P(Batches, AFailingOperationLeavesNothingOfTheCommitApplied) {
    open(1000);
    commit(Batch().put_retained(retained("kept")));

    Batch first;
    first.put_session(session("c1")).put_retained(retained("kept", "changed"));
    Batch second;
    second.enqueue(queued("c1", 1)).put_retained(retained("big", std::string(5000, 'x')));
    const Batch* both[] = {&first, &second};
    auto done = store_->commit(both);
    ASSERT_FALSE(done);
    EXPECT_EQ(done.error().kind, StoreError::Kind::too_large);
    EXPECT_NE(done.error().message.find("limit"), std::string::npos) << done.error().message;

    auto state = load();
    EXPECT_TRUE(state.sessions.empty());
    EXPECT_TRUE(state.queues.empty());
    ASSERT_EQ(state.retained.size(), 1u);
    EXPECT_EQ(state.retained[0], retained("kept"));

    // The store goes on working after the failure.
    commit(first);
    EXPECT_EQ(load().sessions.size(), 1u);
}

TEST_P(Batches, BatchesOfOneCommitApplyInOrder) {
    Batch put;
    put.put_retained(retained("t", "1"));
    Batch remove;
    remove.delete_retained("t");
    Batch again;
    again.put_retained(retained("t", "3"));
    const Batch* all[] = {&put, &remove, &again};
    ASSERT_TRUE(store_->commit(all));
    auto state = load();
    ASSERT_EQ(state.retained.size(), 1u);
    EXPECT_EQ(state.retained[0].payload.view(), "3");
}

TEST_P(Batches, DeleteSessionRemovesEverythingOfThatSessionOnly) {
    for (std::string id : {"gone", "stays"}) {
        Batch b;
        b.put_session(session(id))
            .add_subscription(subscription(id, "a/#"))
            .enqueue(queued(id, 1))
            .enqueue(queued(id, 2))
            .put_inflight(inflight(id, Direction::outgoing, 1))
            .put_will(will(id));
        commit(b);
    }
    commit(Batch().delete_session("gone"));

    auto state = load();
    ASSERT_EQ(state.sessions.size(), 1u);
    EXPECT_EQ(state.sessions[0].client_id, "stays");
    ASSERT_EQ(state.subscriptions.size(), 1u);
    EXPECT_EQ(state.subscriptions[0].client_id, "stays");
    ASSERT_EQ(state.queues.size(), 1u);
    EXPECT_EQ(state.queues[0].client_id, "stays");
    EXPECT_EQ(state.queues[0].count, 2u);
    ASSERT_EQ(state.inflight.size(), 1u);
    EXPECT_EQ(state.inflight[0].client_id, "stays");
    ASSERT_EQ(state.wills.size(), 1u);
    EXPECT_EQ(state.wills[0].client_id, "stays");
}

TEST_P(Batches, DeletesRemoveOnlyTheKeyTheyName) {
    Batch b;
    b.put_session(session("c"))
        .add_subscription(subscription("c", "f"))
        .add_subscription(subscription("c", "f", "group"))
        .put_inflight(inflight("c", Direction::outgoing, 5))
        .put_inflight(inflight("c", Direction::incoming, 5))
        .put_will(will("c"))
        .put_retained(retained("r1"))
        .put_retained(retained("r2"));
    commit(b);
    commit(Batch()
               .remove_subscription("c", "group", "f")
               .delete_inflight("c", Direction::incoming, 5)
               .delete_will("c")
               .delete_retained("r1")
               .delete_retained("never-there"));

    auto state = load();
    ASSERT_EQ(state.subscriptions.size(), 1u);
    EXPECT_EQ(state.subscriptions[0].share_name, "");
    ASSERT_EQ(state.inflight.size(), 1u);
    EXPECT_EQ(state.inflight[0].direction, Direction::outgoing);
    EXPECT_TRUE(state.wills.empty());
    ASSERT_EQ(state.retained.size(), 1u);
    EXPECT_EQ(state.retained[0].topic, "r2");
    EXPECT_EQ(state.sessions.size(), 1u);
}

TEST_P(Batches, AnInflightRecordMovesThroughItsStates) {
    auto record = inflight("c", Direction::outgoing, 9);
    commit(Batch().put_inflight(record));
    record.state = InflightState::pubrec_received;
    record.payload = protocol::Payload();
    record.topic.clear();
    commit(Batch().put_inflight(record));
    auto state = load();
    ASSERT_EQ(state.inflight.size(), 1u);
    EXPECT_EQ(state.inflight[0], record);
}

TEST(BatchBytes, CountsWhatTheOperationsHold) {
    Batch small;
    small.delete_will("c");
    Batch large;
    large.put_retained(retained("t", std::string(10'000, 'p')));
    EXPECT_GT(small.bytes(), 0u);
    EXPECT_GT(large.bytes(), 10'000u);
    EXPECT_EQ(large.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Stores, Batches, ::testing::Values(StoreKind::memory, StoreKind::sqlite),
                         store_name);

}  // namespace
}  // namespace culex::store::testing
