// The step list: the order of the lab, the names --only takes, a lesson for each.
#include <gtest/gtest.h>

#include <set>

#include "lab/steps.hpp"

namespace culex::lab {
namespace {

TEST(LabSteps, RunInTheLabsOrder) {
    std::vector<std::string> names;
    for (const auto& step : lab_steps())
        names.push_back(step.name);
    EXPECT_EQ(names, (std::vector<std::string>{"network", "pubsub", "sniff", "tls-wrong", "doctor",
                                               "tls-right", "login"}));
}

TEST(LabSteps, EachHasAUniqueNameATitleAndALesson) {
    std::set<std::string> seen;
    for (const auto& step : lab_steps()) {
        EXPECT_TRUE(seen.insert(step.name).second) << step.name;
        EXPECT_FALSE(step.title.empty()) << step.name;
        EXPECT_GT(step.teaches.size(), 80u) << step.name;
    }
}

TEST(LabSteps, FindByName) {
    ASSERT_NE(find_step("doctor"), nullptr);
    EXPECT_EQ(find_step("doctor")->name, "doctor");
    EXPECT_EQ(find_step("Doctor"), nullptr);
    EXPECT_EQ(find_step(""), nullptr);
    EXPECT_EQ(step_names(), "network, pubsub, sniff, tls-wrong, doctor, tls-right, login");
}

}  // namespace
}  // namespace culex::lab
