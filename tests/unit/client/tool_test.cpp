// The start-up and failure handling pub, sub and rr share (tool.hpp): what each prints, where, and the exit
// code, with and without --quiet.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "client/pub_tool.hpp"
#include "client/sub_tool.hpp"
#include "client/tool.hpp"

namespace culex::client {
namespace {

// A ToolIo whose streams are temporary files, read back as text.
class CapturedIo {
  public:
    CapturedIo() : out_(std::tmpfile(), std::fclose), err_(std::tmpfile(), std::fclose) {
        io.out = out_.get();
        io.err = err_.get();
        io.pid = 42;
        io.hostname = "host";
    }
    std::string out() const { return read(out_.get()); }
    std::string err() const { return read(err_.get()); }

    ToolIo io;

  private:
    static std::string read(std::FILE* f) {
        std::fflush(f);
        std::rewind(f);
        std::string text;
        for (int c = std::fgetc(f); c != EOF; c = std::fgetc(f))
            text += static_cast<char>(c);
        return text;
    }
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> out_, err_;
};

TEST(ToolFailure, TimeoutIsWordedAndCoded) {
    CapturedIo captured;
    CommonArgs args;
    EXPECT_EQ(report_timeout(args, captured.io), 27);
    EXPECT_EQ(captured.err(), "Timed out\n");
}

TEST(ToolFailure, QuietPrintsNothingButKeepsTheCode) {
    CapturedIo captured;
    CommonArgs args;
    args.quiet = true;
    EXPECT_EQ(report_timeout(args, captured.io), 27);
    EXPECT_EQ(report_failure(args, Error{ErrorKind::connection_lost, "gone"}, captured.io), 7);
    print_error(args, captured.io, "Error: x\n");
    EXPECT_EQ(captured.err(), "");
}

TEST(ToolFailure, FailuresGetMosquittosLineAndCode) {
    CapturedIo captured;
    CommonArgs args;
    EXPECT_EQ(report_failure(args, Error{ErrorKind::lookup, "Lookup error."}, captured.io), 1);
    EXPECT_EQ(report_failure(args, Error{ErrorKind::keepalive, "Keepalive."}, captured.io), 19);
    EXPECT_EQ(captured.err(), "Unable to connect (Lookup error.).\nError: Keepalive.\n");
}

// The tools read a default options file first: point them at none, so that the machine's own cannot count.
class ToolStart : public ::testing::Test {
  protected:
    void SetUp() override { ::setenv("XDG_CONFIG_HOME", "/nonexistent/culex-unit-test", 1); }
};

TEST_F(ToolStart, HelpIsPrintedOnStdoutAndExitsOne) {
    CapturedIo captured;
    EXPECT_EQ(run_pub(std::vector<std::string>{"--help"}, captured.io), 1);
    EXPECT_TRUE(captured.out().starts_with("culex pub is a simple mqtt client")) << captured.out();
    EXPECT_EQ(captured.err(), "");
}

TEST_F(ToolStart, AnErrorNamesTheToolInTheHint) {
    CapturedIo captured;
    EXPECT_EQ(run_sub(std::vector<std::string>{"-t", "a", "-z"}, captured.io), 1);
    EXPECT_EQ(captured.err(), "Error: Unknown option '-z'.\n\nUse 'culex sub --help' to see usage.\n");
}

TEST_F(ToolStart, AnInvalidClientIdStopsBeforeConnecting) {
    CapturedIo captured;
    EXPECT_EQ(run_sub(std::vector<std::string>{"-t", "a", "-i", ""}, captured.io), 1);
    EXPECT_EQ(captured.err(), "Error: Invalid id and/or clean_session.\n");
}

}  // namespace
}  // namespace culex::client
