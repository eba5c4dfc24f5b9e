// A fence held from outside the loops (cluster mode: until JetStream acknowledged a QoS 1/2 message), also
// without a store: the step's acknowledgements wait for that holder, and later steps' wait behind them.
#include <gtest/gtest.h>

#include <vector>

#include "broker/store_step.hpp"
#include "fake_link.hpp"

namespace culex::broker {
namespace {

using testing::ManualExecutor;

void run_all(ManualExecutor& loop) {
    while (loop.run_one()) {
    }
}

TEST(StoreStepHoldOpen, AcknowledgementsWaitForTheHolderAndKeepTheirOrder) {
    ManualExecutor loop;
    StoreStep step(loop);  // no store
    EXPECT_FALSE(step.fencing());
    std::vector<int> released;
    FencePtr held = step.hold_open();
    step.after_commit([&](bool committed) { released.push_back(committed ? 1 : -1); });
    step.end_step();
    // A later step's acknowledgement must not overtake the held one.
    EXPECT_TRUE(step.fencing());
    step.after_commit([&](bool committed) { released.push_back(committed ? 2 : -2); });
    step.end_step();
    run_all(loop);
    EXPECT_TRUE(released.empty());

    held.reset();  // JetStream acknowledged
    run_all(loop);
    EXPECT_EQ(released, (std::vector<int>{1, 2}));
    EXPECT_FALSE(step.fencing());  // nothing held: acknowledgements go at once again
}

TEST(StoreStepHoldOpen, AFailedHolderFailsOnlyItsOwnStep) {
    ManualExecutor loop;
    StoreStep step(loop);
    std::vector<int> released;
    FencePtr held = step.hold_open();
    step.after_commit([&](bool committed) { released.push_back(committed ? 1 : -1); });
    step.end_step();
    step.after_commit([&](bool committed) { released.push_back(committed ? 2 : -2); });
    step.end_step();
    held->fail();  // JetStream refused it: its publisher is not told
    held.reset();
    run_all(loop);
    EXPECT_EQ(released, (std::vector<int>{-1, 2}));
}

}  // namespace
}  // namespace culex::broker
