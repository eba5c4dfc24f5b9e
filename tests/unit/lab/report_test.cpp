// The transcript's Markdown and the report directory: lab.md, the captures and certificates copied beside it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lab/report.hpp"
#include "lab/transcript.hpp"

namespace culex::lab {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

class LabReport : public testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("culex-lab-report-test-" + std::to_string(getpid()) + "-" +
                                            testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "work");
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST_F(LabReport, TranscriptIsMarkdownWithPromptsAndOutput) {
    Transcript t;
    t.title("culex lab");
    t.begin_step(2, {"pubsub", "Publish and subscribe", "The broker is the post office."});
    t.command("client", "culex pub -h 192.168.56.101 -m hello -t world", "");
    t.command("broker", "culex broker -c lab.conf -v",
              "1: New connection from 192.168.56.102:4000 on port 1883.");
    t.finding("it works");
    const std::string& md = t.markdown();
    EXPECT_NE(md.find("# culex lab\n"), std::string::npos);
    EXPECT_NE(md.find("## 2. Publish and subscribe (`pubsub`)\n\nThe broker is the post office.\n"),
              std::string::npos);
    EXPECT_NE(md.find("```console\nclient$ culex pub -h 192.168.56.101 -m hello -t world\n```\n"),
              std::string::npos);
    EXPECT_NE(
        md.find("broker$ culex broker -c lab.conf -v\n1: New connection from 192.168.56.102:4000 on port "
                "1883.\n```"),
        std::string::npos)
        << md;
    EXPECT_NE(md.find("**What this shows:** it works"), std::string::npos);
}

TEST_F(LabReport, BackgroundCommandIsShownWhenStartedAndItsOutputLater) {
    Transcript t;
    t.started("broker", "culex broker -c lab.conf -v");
    t.output_of("broker", "culex broker -c lab.conf -v", "1: culex version 0.1.0 running");
    EXPECT_EQ(t.markdown(),
              "```console\nbroker$ culex broker -c lab.conf -v &\n```\n\n"
              "```console\n[broker] output of `culex broker -c lab.conf -v`:\n1: culex version 0.1.0 "
              "running\n```\n\n");
}

TEST_F(LabReport, OutputHoldingAFenceGetsALongerOne) {
    Transcript t;
    t.command("broker", "cat notes.md", "```\ncode\n```\n");
    EXPECT_EQ(t.markdown(), "````console\nbroker$ cat notes.md\n```\ncode\n```\n````\n\n");
}

TEST_F(LabReport, LiveCopyGoesToTheStream) {
    char* buffer = nullptr;
    std::size_t size = 0;
    std::FILE* live = open_memstream(&buffer, &size);
    {
        Transcript t(live);
        t.command("client", "culex sub -t \"#\" -v", "world hello\n");
    }
    std::fclose(live);
    EXPECT_EQ(std::string(buffer, size), "client$ culex sub -t \"#\" -v\nworld hello\n");
    std::free(buffer);
}

TEST_F(LabReport, WritesTheTranscriptAndCopiesTheFiles) {
    std::ofstream(dir_ / "work" / "plain.pcap") << "pcap bytes";
    std::ofstream(dir_ / "work" / "ca.crt") << "-----BEGIN CERTIFICATE-----";
    auto report = dir_ / "report" / "nested";
    auto written = write_report(report, "# lab\n",
                                {{dir_ / "work" / "plain.pcap", "captures/plain.pcap"},
                                 {dir_ / "work" / "ca.crt", "certificates/lab/ca.crt"}});
    ASSERT_TRUE(written) << written.error().message;
    EXPECT_EQ(read(report / "lab.md"), "# lab\n");
    EXPECT_EQ(read(report / "captures" / "plain.pcap"), "pcap bytes");
    EXPECT_EQ(read(report / "certificates" / "lab" / "ca.crt"), "-----BEGIN CERTIFICATE-----");
    // A second run replaces the old report.
    ASSERT_TRUE(write_report(report, "# again\n", {}));
    EXPECT_EQ(read(report / "lab.md"), "# again\n");
}

TEST_F(LabReport, RefusesNamesOutsideTheReport) {
    std::ofstream(dir_ / "work" / "x") << "x";
    for (const char* name : {"../x", "/tmp/x", "a/../../x"}) {
        auto written = write_report(dir_ / "report", "", {{dir_ / "work" / "x", name}});
        EXPECT_FALSE(written) << name;
    }
}

TEST_F(LabReport, MissingSourceIsAnErrorNamingIt) {
    auto written =
        write_report(dir_ / "report", "", {{dir_ / "work" / "missing.pcap", "captures/missing.pcap"}});
    ASSERT_FALSE(written);
    EXPECT_NE(written.error().message.find("missing.pcap"), std::string::npos);
}

TEST_F(LabReport, UnwritableDirectoryIsAnErrorWithTheFix) {
    std::ofstream(dir_ / "file") << "x";
    auto written = write_report(dir_ / "file" / "report", "", {});
    ASSERT_FALSE(written);
    EXPECT_NE(written.error().message.find("--report DIR"), std::string::npos) << written.error().message;
}

}  // namespace
}  // namespace culex::lab
