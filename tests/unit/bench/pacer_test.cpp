#include "bench/pacer.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace culex::bench {
namespace {

constexpr std::int64_t kStart = 1'000'000'000;

TEST(Pacer, PublishersTakeTurnsEvenly) {
    // 10,000 msg/s over 8 publishers: each every 800 us, publisher k at k * 100 us.
    std::vector<Pacer> pacers;
    for (unsigned k = 0; k < 8; ++k) {
        pacers.emplace_back(10'000, 8, k);
        pacers.back().start(kStart);
    }
    for (unsigned k = 0; k < 8; ++k) {
        EXPECT_EQ(pacers[k].next_ns(), kStart + k * 100'000);
        EXPECT_EQ(pacers[k].interval_ns(), 800'000);
    }
    // Walk the whole run's schedule in time order: one message every 100 us, never two at once.
    std::int64_t previous = 0;
    for (int i = 0; i < 800; ++i) {
        unsigned k = 0;
        for (unsigned j = 1; j < 8; ++j)
            if (pacers[j].next_ns() < pacers[k].next_ns()) k = j;
        std::int64_t at = pacers[k].next_ns();
        if (i != 0) EXPECT_EQ(at - previous, 100'000);
        EXPECT_EQ(pacers[k].due(at - 1), 0u);
        EXPECT_EQ(pacers[k].due(at), 1u);
        pacers[k].consume(1);
        previous = at;
    }
}

TEST(Pacer, NothingIsDueBeforeTheFirstSlot) {
    Pacer p(1000, 1, 0);
    p.start(kStart);
    EXPECT_EQ(p.due(kStart - 5), 0u);
    EXPECT_EQ(p.due(kStart), 1u);
    EXPECT_EQ(p.due(kStart + 999'999), 1u);
    EXPECT_EQ(p.due(kStart + 1'000'000), 2u);
    EXPECT_EQ(p.skipped(), 0u);
}

TEST(Pacer, CatchesUpWithinTheHorizonOnly) {
    // 100,000 msg/s, one publisher: a slot every 10 us. Late by 5 ms: the slots of the last millisecond are
    // sent (101: both ends included), the 400 before them skipped, not sent in one burst.
    Pacer p(100'000, 1, 0);
    p.start(kStart);
    std::int64_t now = kStart + 5'000'000;
    std::uint64_t due = p.due(now);
    EXPECT_EQ(due, 101u);
    EXPECT_EQ(p.skipped(), 400u);
    p.consume(due);
    EXPECT_EQ(p.next_ns(), now + 10'000);
    EXPECT_EQ(p.due(now), 0u);
}

TEST(Pacer, AStallOfSecondsSkipsWithoutWalkingEverySlot) {
    Pacer p(10'000'000, 1, 0);  // a slot every 100 ns
    p.start(kStart);
    std::int64_t now = kStart + 3'000'000'000LL;
    std::uint64_t due = p.due(now);
    EXPECT_EQ(due, 10'001u);
    EXPECT_EQ(p.skipped() + due, 30'000'001u);
}

TEST(Pacer, ASlowPublisherIsNotPushedBack) {
    // Sending fewer than due (a full write buffer) leaves the rest due at once, inside the horizon.
    Pacer p(1'000'000, 1, 0);
    p.start(kStart);
    std::int64_t now = kStart + 100'000;
    EXPECT_EQ(p.due(now), 101u);
    p.consume(50);
    EXPECT_EQ(p.due(now), 51u);
    EXPECT_LE(p.next_ns(), now);
}

}  // namespace
}  // namespace culex::bench
