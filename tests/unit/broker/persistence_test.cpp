// Persistence through the core: what each step stores, and that the client is told nothing (PUBACK, PUBREC,
// PUBREL, PUBCOMP, a QoS 2 PUBLISH) before it is committed. The writer here commits only when the test says,
// into a MemoryStore, so the tests see the broker between a batch's submission and its commit.
#include <gtest/gtest.h>

#include "broker/session.hpp"
#include "core_harness.hpp"
#include "store/commit_queue.hpp"
#include "store/memory_store.hpp"

namespace culex::broker {
namespace {

using namespace culex::protocol;
using testing::CoreHarness;
using testing::TestClient;

class ManualCommitQueue : public store::CommitQueue {
  public:
    bool submit(store::Batch&& batch, Completion&& done, Admission) override {
        pending.push_back({std::move(batch), std::move(done)});
        return true;
    }
    bool read_queue(store::QueueRequest request, PageCompletion&& done) override {
        reads.push_back({std::move(request), std::move(done)});
        return true;
    }
    std::size_t waiting_bytes() const override { return 0; }

    // Commits every waiting batch in one transaction (or fails them all), runs their completions, then
    // answers the page reads, as the Writer does.
    void commit(bool succeed = true) {
        auto round = std::move(pending);
        pending.clear();
        std::vector<const store::Batch*> batches;
        for (const auto& p : round)
            batches.push_back(&p.batch);
        std::expected<void, store::StoreError> result;
        if (succeed)
            result = store.commit(batches);
        else
            result = std::unexpected(store::StoreError{store::StoreError::Kind::io, "disk on fire"});
        for (auto& p : round)
            p.done(result);
        auto asked = std::move(reads);
        reads.clear();
        for (auto& r : asked)
            r.done(store.read_queue(r.request));
    }
    // The operations waiting, all batches together.
    std::size_t waiting_operations() const {
        std::size_t n = 0;
        for (const auto& p : pending)
            n += p.batch.size();
        return n;
    }

    struct Pending {
        store::Batch batch;
        Completion done;
    };
    struct Read {
        store::QueueRequest request;
        PageCompletion done;
    };
    std::vector<Pending> pending;
    std::vector<Read> reads;
    store::MemoryStore store;
};

struct Persistence : ::testing::Test {
    explicit Persistence(int loops = 2) : core(loops) { core.broker().use_store(&writer); }

    // Commits until nothing waits (what a completion sets off may submit again), running the loops between.
    void commit_all() {
        for (int round = 0; round < 100 && (!writer.pending.empty() || !writer.reads.empty()); ++round) {
            writer.commit();
            core.settle();
        }
    }
    // A persistent 3.1.1 session subscribed to `filter` at `qos`, connected on `loop`, subscription
    // committed.
    std::unique_ptr<TestClient> subscriber(int loop, std::string id, std::string filter, QoS qos) {
        auto c = core.connect(loop, std::move(id), false);
        core.receive(*c, Subscribe{1, {{std::move(filter), qos}}, {}});
        commit_all();
        EXPECT_EQ(c->sent<Suback>().size(), 1u);
        return c;
    }
    Publish publish(std::string topic, std::string payload, QoS qos, std::uint16_t id) {
        Publish p;
        p.topic = std::move(topic);
        p.payload = Payload(std::move(payload));
        p.qos = qos;
        p.packet_id = id;
        return p;
    }

    ManualCommitQueue writer;
    CoreHarness core;
};

TEST_F(Persistence, SubackWaitsForTheSubscriptionToBeCommitted) {
    auto c = core.connect(1, "sub", false);
    core.receive(*c, Subscribe{1, {{"t/#", QoS::at_least_once}}, {}});
    EXPECT_TRUE(c->sent<Suback>().empty());
    writer.commit();
    core.settle();
    EXPECT_EQ(c->sent<Suback>().size(), 1u);
}

TEST_F(Persistence, PubackWaitsForTheQueueOfAnOfflineSessionOnAnotherLoop) {
    auto sub = subscriber(1, "sub", "t/#", QoS::at_least_once);
    core.drop(*sub);
    commit_all();
    auto pub = core.connect(0, "pub");
    core.receive(*pub, publish("t/1", "hello", QoS::at_least_once, 7));
    EXPECT_TRUE(pub->sent<Puback>().empty()) << "acknowledged before anything was stored";
    // The publisher's loop stored the message for the session on the other loop, in its own batch.
    ASSERT_EQ(writer.pending.size(), 1u);
    EXPECT_EQ(writer.pending[0].batch.size(), 1u);
    commit_all();
    ASSERT_EQ(pub->sent<Puback>().size(), 1u);
    EXPECT_EQ(pub->sent<Puback>()[0].packet_id, 7);
    auto loaded = writer.store.load();
    ASSERT_TRUE(loaded);
    ASSERT_EQ(loaded->queues.size(), 1u);
    EXPECT_EQ(loaded->queues[0].client_id, "sub");
    EXPECT_EQ(loaded->queues[0].count, 1u);
}

TEST_F(Persistence, AFailedCommitClosesThePublisherInsteadOfAcknowledging) {
    auto sub = subscriber(1, "sub", "t/#", QoS::at_least_once);
    core.drop(*sub);
    commit_all();
    auto pub = core.connect(0, "pub");
    core.receive(*pub, publish("t/1", "hello", QoS::at_least_once, 7));
    writer.commit(false);
    core.settle();
    EXPECT_TRUE(pub->sent<Puback>().empty());
    EXPECT_TRUE(pub->closed());
}

TEST_F(Persistence, AQos2PublishToAStoredSessionGoesOutOnlyOnceItsRecordIsCommitted) {
    auto sub = subscriber(1, "sub", "t/#", QoS::exactly_once);
    auto pub = core.connect(0, "pub");
    core.receive(*pub, publish("t/1", "once", QoS::exactly_once, 3));
    commit_all();
    ASSERT_EQ(pub->sent<Pubrec>().size(), 1u);
    core.receive(*pub, Pubrel{3});
    EXPECT_TRUE(sub->link.publishes().empty()) << "sent before its record was stored";
    EXPECT_TRUE(pub->sent<Pubcomp>().empty());
    commit_all();
    ASSERT_EQ(sub->link.publishes().size(), 1u);
    EXPECT_EQ(sub->link.publishes()[0].payload.view(), "once");
    EXPECT_EQ(pub->sent<Pubcomp>().size(), 1u);

    // The subscriber's PUBREC: PUBREL only once "PUBREC received" is stored.
    std::uint16_t id = sub->link.publishes()[0].packet_id;
    core.receive(*sub, Pubrec{id});
    EXPECT_TRUE(sub->sent<Pubrel>().empty());
    commit_all();
    ASSERT_EQ(sub->sent<Pubrel>().size(), 1u);
    core.receive(*sub, Pubcomp{id});
    commit_all();
    auto loaded = writer.store.load();
    ASSERT_TRUE(loaded);
    EXPECT_TRUE(loaded->inflight.empty()) << "both QoS 2 exchanges are over: nothing in flight is left";
    EXPECT_TRUE(loaded->queues.empty());
}

TEST_F(Persistence, AnOfflineSessionsQueueStaysInTheStoreAndIsPagedInInOrder) {
    auto sub = subscriber(1, "sub", "t/#", QoS::at_least_once);
    core.drop(*sub);
    auto pub = core.connect(0, "pub");
    // More than max_queued_messages (1000 by default): the publisher's loop stores all 1200 for the session,
    // and the session's loop removes the 200 it drops. 1000 is two pages (Session::kPageMessages).
    constexpr int kPublished = 1200;
    constexpr int kCount = 1000;
    for (int i = 0; i < kPublished; ++i)
        core.receive(
            *pub, publish("t/1", std::to_string(i), QoS::at_least_once, static_cast<std::uint16_t>(i + 1)));
    commit_all();
    EXPECT_EQ(pub->sent<Puback>().size(), static_cast<std::size_t>(kPublished));
    auto loaded = writer.store.load();
    ASSERT_TRUE(loaded);
    ASSERT_EQ(loaded->queues.size(), 1u);
    EXPECT_EQ(loaded->queues[0].count, static_cast<std::uint64_t>(kCount))
        << "the dropped ones were not removed";
    bool created = false;
    Session* session = core.broker().sessions().find_or_create("sub", 1, created)->session;
    ASSERT_FALSE(created);
    ASSERT_NE(session, nullptr);
    EXPECT_EQ(session->queued_count(), 0u)
        << "an offline stored session holds nothing of its queue in memory";
    EXPECT_EQ(session->stored_queue_count(), static_cast<std::uint64_t>(kCount));

    auto back = core.connect(1, "sub", false);
    std::size_t answered = 0;
    for (int round = 0; round < 1000; ++round) {
        commit_all();
        auto sent = back->link.publishes();
        if (answered == sent.size()) break;  // nothing new came: all of it, or stuck
        for (; answered < sent.size(); ++answered)
            core.receive(*back, Puback{sent[answered].packet_id});
    }
    auto sent = back->link.publishes();
    ASSERT_EQ(sent.size(), static_cast<std::size_t>(kCount));
    for (int i = 0; i < kCount; ++i)
        ASSERT_EQ(sent[static_cast<std::size_t>(i)].payload.view(), std::to_string(i))
            << "out of order at " << i;
}

}  // namespace
}  // namespace culex::broker
