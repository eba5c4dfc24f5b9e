// Every record type goes in and comes back as it was, on both stores.
#include "store_test_support.hpp"

namespace culex::store::testing {
namespace {

class RoundTrip : public StoreTest {};

TEST_P(RoundTrip, EveryRecordTypeComesBackAsItWent) {
    Batch batch;
    batch.put_retained(retained("a/b"))
        .put_retained(retained("a/empty", ""))
        .put_session(session("c1"))
        .add_subscription(subscription("c1", "sensors/#"))
        .add_subscription(subscription("c1", "jobs/+", "workers"))
        .enqueue(queued("c1", 1))
        .put_inflight(inflight("c1", Direction::outgoing, 7))
        .put_inflight(inflight("c1", Direction::incoming, 7))
        .put_will(will("c1"));
    commit(batch);

    auto state = load();
    ASSERT_EQ(state.retained.size(), 2u);
    EXPECT_EQ(state.retained[0], retained("a/b"));
    EXPECT_EQ(state.retained[1], retained("a/empty", ""));
    EXPECT_TRUE(state.retained[1].payload.empty());
    ASSERT_EQ(state.sessions.size(), 1u);
    EXPECT_EQ(state.sessions[0], session("c1"));
    ASSERT_EQ(state.subscriptions.size(), 2u);
    EXPECT_EQ(state.subscriptions[0], subscription("c1", "sensors/#"));  // "" sorts before "workers"
    EXPECT_EQ(state.subscriptions[1], subscription("c1", "jobs/+", "workers"));
    ASSERT_EQ(state.inflight.size(), 2u);
    EXPECT_EQ(state.inflight[0], inflight("c1", Direction::outgoing, 7));
    EXPECT_EQ(state.inflight[1], inflight("c1", Direction::incoming, 7));
    ASSERT_EQ(state.wills.size(), 1u);
    EXPECT_EQ(state.wills[0], will("c1"));
    EXPECT_TRUE(state.recovery.clean()) << state.recovery.summary();

    // Queued bodies are not part of load(): a summary is, and the body comes with read_queue().
    ASSERT_EQ(state.queues.size(), 1u);
    const auto& body = queued("c1", 1);
    EXPECT_EQ(
        state.queues[0],
        (QueueSummary{"c1", 1, body.topic.size() + body.payload.size() + body.properties.size(), 1, 1}));
    auto page = store_->read_queue({"c1", 0, 10, 1 << 20});
    ASSERT_TRUE(page) << page.error().message;
    ASSERT_EQ(page->messages.size(), 1u);
    EXPECT_EQ(page->messages[0], body);
}

TEST_P(RoundTrip, OptionalFieldsLeftUnsetStayUnset) {
    SessionRecord s{"plain", protocol::ProtocolVersion::v311, std::nullopt, std::nullopt, 0, std::nullopt};
    SubscriptionRecord sub{"plain", "t", "", protocol::QoS::at_most_once, false, false, 0, std::nullopt};
    RetainedRecord r{"t", protocol::Payload(std::string("x")), protocol::QoS::at_most_once, "", std::nullopt};
    WillRecord w{"plain", "t", protocol::Payload(), protocol::QoS::at_most_once, false, "", 0, std::nullopt};
    commit(Batch().put_session(s).add_subscription(sub).put_retained(r).put_will(w));

    auto state = load();
    ASSERT_EQ(state.sessions.size(), 1u);
    EXPECT_EQ(state.sessions[0], s);
    EXPECT_FALSE(state.sessions[0].username.has_value());
    EXPECT_FALSE(state.sessions[0].expiry_interval.has_value());
    ASSERT_EQ(state.subscriptions.size(), 1u);
    EXPECT_EQ(state.subscriptions[0], sub);
    ASSERT_EQ(state.retained.size(), 1u);
    EXPECT_EQ(state.retained[0], r);
    ASSERT_EQ(state.wills.size(), 1u);
    EXPECT_EQ(state.wills[0], w);
}

TEST_P(RoundTrip, BinaryBytesSurviveInTopicsPayloadsAndIds) {
    std::string odd("k\0\xff\x01", 4);
    commit(Batch().put_session(session(odd)).put_retained(retained(odd, std::string("\0\0\xfe", 3))));
    auto state = load();
    ASSERT_EQ(state.sessions.size(), 1u);
    EXPECT_EQ(state.sessions[0].client_id, odd);
    ASSERT_EQ(state.retained.size(), 1u);
    EXPECT_EQ(state.retained[0], retained(odd, std::string("\0\0\xfe", 3)));
}

TEST_P(RoundTrip, PutReplacesTheRecordWithTheSameKey) {
    commit(Batch().put_retained(retained("t", "old")).add_subscription(subscription("c", "f")));
    auto changed = subscription("c", "f");
    changed.qos = protocol::QoS::at_most_once;
    changed.subscription_id.reset();
    commit(Batch().put_retained(retained("t", "new")).add_subscription(changed));
    auto state = load();
    ASSERT_EQ(state.retained.size(), 1u);
    EXPECT_EQ(state.retained[0].payload.view(), "new");
    ASSERT_EQ(state.subscriptions.size(), 1u);
    EXPECT_EQ(state.subscriptions[0], changed);
}

INSTANTIATE_TEST_SUITE_P(Stores, RoundTrip, ::testing::Values(StoreKind::memory, StoreKind::sqlite),
                         store_name);

}  // namespace
}  // namespace culex::store::testing
