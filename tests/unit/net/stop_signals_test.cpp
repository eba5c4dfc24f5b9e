// StopSignals takes SIGINT, SIGTERM and SIGHUP on its own thread, whichever thread they were sent to, and one
// sent before it started is not lost.
#include "net/stop_signals.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <vector>

namespace culex::net {
namespace {

struct Received {
    std::mutex mutex;
    std::condition_variable arrived;
    std::vector<int> numbers;

    void add(int number) {
        std::lock_guard lock(mutex);
        numbers.push_back(number);
        arrived.notify_all();
    }
    bool wait_for_count(std::size_t count) {
        std::unique_lock lock(mutex);
        return arrived.wait_for(lock, std::chrono::seconds(10), [&] { return numbers.size() >= count; });
    }
};

TEST(StopSignals, TakesEachSignalSentToTheProcessOnItsThread) {
    block_stop_signals();
    Received received;
    StopSignals signals([&](int number) { received.add(number); });
    ASSERT_EQ(::kill(::getpid(), SIGHUP), 0);
    ASSERT_TRUE(received.wait_for_count(1));
    ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
    ASSERT_TRUE(received.wait_for_count(2));
    std::lock_guard lock(received.mutex);
    EXPECT_EQ(received.numbers, (std::vector<int>{SIGHUP, SIGTERM}));
}

TEST(StopSignals, ASignalSentBeforeTheWaiterStartedIsTakenOnceItDoes) {
    block_stop_signals();
    ASSERT_EQ(::kill(::getpid(), SIGINT), 0);  // pending on the process, blocked everywhere
    Received received;
    StopSignals signals([&](int number) { received.add(number); });
    ASSERT_TRUE(received.wait_for_count(1));
    std::lock_guard lock(received.mutex);
    EXPECT_EQ(received.numbers.front(), SIGINT);
}

TEST(StopSignals, StopsWaitingWhenDestroyedWithoutAnySignal) {
    block_stop_signals();
    Received received;
    {
        StopSignals signals([&](int number) { received.add(number); });
    }
    std::lock_guard lock(received.mutex);
    EXPECT_TRUE(received.numbers.empty());
}

}  // namespace
}  // namespace culex::net
