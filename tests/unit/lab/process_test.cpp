// Child processes: output merged, exit codes, every wait bounded (a child that outlives its timeout is
// killed), and the words shown for a command.
#include <gtest/gtest.h>

#include <csignal>

#include "lab/process.hpp"

namespace culex::lab {
namespace {

TEST(LabProcess, RunCollectsOutputAndExitCode) {
    auto result = run_command({"sh", "-c", "echo out; echo err >&2; exit 3"}, Milliseconds(10000));
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->exit_code, 3);
    EXPECT_FALSE(result->timed_out);
    EXPECT_EQ(result->output, "out\nerr\n");
}

TEST(LabProcess, RunInADirectory) {
    auto result = run_command({"pwd"}, Milliseconds(10000), {.directory = "/"});
    ASSERT_TRUE(result);
    EXPECT_EQ(result->output, "/\n");
}

TEST(LabProcess, ChildPastItsTimeoutIsKilled) {
    auto result = run_command({"sh", "-c", "echo started; exec sleep 60"}, Milliseconds(300));
    ASSERT_TRUE(result);
    EXPECT_TRUE(result->timed_out);
    EXPECT_EQ(result->exit_code, -1);
    EXPECT_EQ(result->output, "started\n");
}

TEST(LabProcess, MissingProgramSaysSo) {
    auto result = run_command({"culex-lab-no-such-program"}, Milliseconds(10000));
    ASSERT_TRUE(result);
    EXPECT_EQ(result->exit_code, 127);
    EXPECT_NE(result->output.find("exec failed: culex-lab-no-such-program"), std::string::npos);
}

TEST(LabProcess, BackgroundWaitsForALineThenStops) {
    auto process = BackgroundProcess::start({"sh", "-c", "echo one; echo ready; exec sleep 60"});
    ASSERT_TRUE(process) << process.error().message;
    auto ready = (*process)->wait_for(std::regex("ready"), Milliseconds(10000), "ready");
    ASSERT_TRUE(ready) << ready.error().message;
    EXPECT_TRUE((*process)->running());
    EXPECT_EQ((*process)->stop(SIGTERM, Milliseconds(5000)), -1);  // killed by the signal
    EXPECT_FALSE((*process)->running());
    EXPECT_EQ((*process)->output(), "one\nready\n");
}

TEST(LabProcess, WaitCountsMatchingLines) {
    auto process = BackgroundProcess::start({"sh", "-c", "echo VERDICT a; echo VERDICT b; exec sleep 60"});
    ASSERT_TRUE(process);
    EXPECT_TRUE((*process)->wait_for(std::regex("VERDICT"), Milliseconds(10000), "two verdicts", 2));
}

TEST(LabProcess, WaitFailsWhenTheChildExitsFirst) {
    auto process = BackgroundProcess::start({"sh", "-c", "echo bye; exit 4"});
    ASSERT_TRUE(process);
    auto ready = (*process)->wait_for(std::regex("ready"), Milliseconds(10000), "the broker to listen");
    ASSERT_FALSE(ready);
    EXPECT_NE(ready.error().message.find("the broker to listen"), std::string::npos);
    EXPECT_NE(ready.error().message.find("exited first (exit code 4)"), std::string::npos)
        << ready.error().message;
    EXPECT_NE(ready.error().message.find("bye"), std::string::npos);
}

TEST(LabProcess, WaitFailsAtItsDeadline) {
    auto process = BackgroundProcess::start({"sleep", "60"});
    ASSERT_TRUE(process);
    auto ready = (*process)->wait_for(std::regex("never"), Milliseconds(200), "a line");
    ASSERT_FALSE(ready);
    EXPECT_NE(ready.error().message.find("not within 200 ms"), std::string::npos);
    EXPECT_TRUE((*process)->running());  // the destructor stops it
}

TEST(LabProcess, ShellLineQuotesWhatNeedsIt) {
    EXPECT_EQ(shell_line({"culex", "sub", "-t", "#", "-v"}), "culex sub -t \"#\" -v");
    EXPECT_EQ(shell_line({"culex", "pub", "-m", "apple and cinnamon", "-t", "cheese/strudel"}),
              "culex pub -m \"apple and cinnamon\" -t cheese/strudel");
    EXPECT_EQ(shell_line({"openssl", "req", "-subj", "/C=FR/ST=France/O=ISIS"}),
              "openssl req -subj /C=FR/ST=France/O=ISIS");
    EXPECT_EQ(shell_line({"echo", "it's $HOME"}), "echo 'it'\\''s $HOME'");
    EXPECT_EQ(shell_line({"echo", ""}), "echo \"\"");
}

}  // namespace
}  // namespace culex::lab
