// The logger: log_type filtering, Mosquitto's timestamp formats, destinations (file, stdout),
// reconfiguration, and whole lines from concurrent writers.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "log/logger.hpp"
#include "log/timestamp.hpp"

namespace culex::log {
namespace {

namespace fs = std::filesystem;

class TempDir {
  public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "culex-log-XXXXXX").string();
        path_ = mkdtemp(pattern.data());
    }
    ~TempDir() { fs::remove_all(path_); }
    fs::path operator/(std::string_view name) const { return path_ / name; }

  private:
    fs::path path_;
};

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

// Settings that write nowhere but into `sink`, without timestamps, so tests compare exact text.
LogSettings captured(std::vector<std::string>& sink, LogType types = LogType::all) {
    LogSettings s = LogSettings::none();
    s.types = types;
    s.timestamp = false;
    s.capture = [&sink](std::string_view line) { sink.emplace_back(line); };
    return s;
}

// Counts how often it is formatted: proves that disabled log calls format nothing.
struct Expensive {
    static inline std::atomic<int> formatted{0};
};

}  // namespace
}  // namespace culex::log

template <>
struct fmt::formatter<culex::log::Expensive> : fmt::formatter<std::string_view> {
    auto format(const culex::log::Expensive&, format_context& ctx) const {
        ++culex::log::Expensive::formatted;
        return fmt::formatter<std::string_view>::format("expensive", ctx);
    }
};

namespace culex::log {
namespace {

TEST(LogType, ParsesEveryMosquittoName) {
    EXPECT_EQ(parse_log_type("debug"), LogType::debug);
    EXPECT_EQ(parse_log_type("error"), LogType::error);
    EXPECT_EQ(parse_log_type("warning"), LogType::warning);
    EXPECT_EQ(parse_log_type("notice"), LogType::notice);
    EXPECT_EQ(parse_log_type("information"), LogType::information);
    EXPECT_EQ(parse_log_type("subscribe"), LogType::subscribe);
    EXPECT_EQ(parse_log_type("unsubscribe"), LogType::unsubscribe);
    EXPECT_EQ(parse_log_type("websockets"), LogType::websockets);
    EXPECT_EQ(parse_log_type("none"), LogType::none);
    EXPECT_EQ(parse_log_type("all"), LogType::all);
    EXPECT_EQ(parse_log_type("info"), std::nullopt);  // Mosquitto spells it out
    EXPECT_EQ(parse_log_type("Error"), std::nullopt);
    EXPECT_EQ(parse_log_type(""), std::nullopt);
}

TEST(LogType, FlagsCombineAndDefaultIsMosquittos) {
    const LogType mask = LogType::error | LogType::subscribe;
    EXPECT_TRUE(any(mask & LogType::error));
    EXPECT_TRUE(any(mask & LogType::subscribe));
    EXPECT_FALSE(any(mask & LogType::debug));
    EXPECT_FALSE(any(kDefaultLogTypes & LogType::debug));
    EXPECT_FALSE(any(kDefaultLogTypes & LogType::subscribe));
    EXPECT_TRUE(any(kDefaultLogTypes & LogType::information));
}

TEST(Logger, DefaultsToMosquittosTypes) {
    Logger logger;
    EXPECT_TRUE(logger.enabled(LogType::error));
    EXPECT_TRUE(logger.enabled(LogType::warning));
    EXPECT_TRUE(logger.enabled(LogType::notice));
    EXPECT_TRUE(logger.enabled(LogType::information));
    EXPECT_FALSE(logger.enabled(LogType::debug));
    EXPECT_FALSE(logger.enabled(LogType::subscribe));
    EXPECT_TRUE(logger.settings().to_stderr);
    EXPECT_TRUE(logger.settings().timestamp);
}

TEST(Logger, WritesOnlyEnabledTypes) {
    std::vector<std::string> lines;
    Logger logger;
    ASSERT_TRUE(logger.configure(captured(lines, LogType::error | LogType::subscribe)));
    logger.write(LogType::debug, "Sending CONNACK to lab-sub (0, 0)");
    logger.write(LogType::error, "Error: boom.");
    logger.write(LogType::information, "mosquitto version 2.0.11 running");
    logger.write(LogType::subscribe, "lab-sub 2 #");
    EXPECT_EQ(lines, (std::vector<std::string>{"Error: boom.", "lab-sub 2 #"}));
}

TEST(Logger, NoneAndAll) {
    std::vector<std::string> lines;
    Logger logger;
    ASSERT_TRUE(logger.configure(captured(lines, LogType::none)));
    for (auto t : {LogType::error, LogType::debug, LogType::websockets})
        EXPECT_FALSE(logger.enabled(t));
    logger.write(LogType::error, "dropped");
    ASSERT_TRUE(logger.configure(captured(lines, LogType::all)));
    for (auto t : {LogType::error, LogType::debug, LogType::websockets})
        EXPECT_TRUE(logger.enabled(t));
    logger.write(LogType::debug, "kept");
    EXPECT_EQ(lines, std::vector<std::string>{"kept"});
}

TEST(Logger, FormatsOnlyWhenEnabled) {
    std::vector<std::string> lines;
    Logger logger;
    ASSERT_TRUE(logger.configure(captured(lines, LogType::information)));
    Expensive::formatted = 0;
    logger.log(LogType::debug, "{} {}", Expensive{}, 42);
    EXPECT_EQ(Expensive::formatted, 0);
    EXPECT_TRUE(lines.empty());
    logger.log(LogType::information, "{} {}", Expensive{}, 42);
    EXPECT_EQ(Expensive::formatted, 1);
    EXPECT_EQ(lines, std::vector<std::string>{"expensive 42"});
}

TEST(Logger, KeepsTabsAndMosquittoWordsVerbatim) {
    std::vector<std::string> lines;
    Logger logger;
    ASSERT_TRUE(logger.configure(captured(lines)));
    logger.log(LogType::subscribe, "\t{} (QoS {})", "cheese/+", 2);
    logger.log(LogType::debug, "Received PUBLISH from {} (d{}, q{}, r{}, m{}, '{}', ... ({} bytes))",
               "lab-pub", 0, 0, 0, 0, "world", 5);
    EXPECT_EQ(lines, (std::vector<std::string>{
                         "\tcheese/+ (QoS 2)",
                         "Received PUBLISH from lab-pub (d0, q0, r0, m0, 'world', ... (5 bytes))"}));
}

TEST(Timestamp, UnixSecondsByDefault) {
    EXPECT_EQ(format_timestamp(1654094034, ""), "1654094034");
    EXPECT_EQ(format_timestamp(0, ""), "0");
}

class LocalTimeUtc : public ::testing::Test {
  protected:
    void SetUp() override {
        if (const char* tz = std::getenv("TZ")) saved_ = tz;
        setenv("TZ", "UTC", 1);
        tzset();
    }
    void TearDown() override {
        if (saved_) {
            setenv("TZ", saved_->c_str(), 1);
        } else {
            unsetenv("TZ");
        }
        tzset();
    }
    std::optional<std::string> saved_;
};

TEST_F(LocalTimeUtc, StrftimeFormat) {
    EXPECT_EQ(format_timestamp(1654094034, "%Y-%m-%dT%H:%M:%S"), "2022-06-01T14:33:54");
    EXPECT_EQ(format_timestamp(1654094034, "%Y-%m-%d %H:%M:%S"), "2022-06-01 14:33:54");
    EXPECT_EQ(format_timestamp(0, "%s"), "0");
    // A format longer than any fixed buffer a C implementation might pick still comes out whole.
    const std::string long_format(300, 'x');
    EXPECT_EQ(format_timestamp(0, long_format + "%Y"), long_format + "1970");
}

TEST(Logger, PrefixesUnixSecondsAndColon) {
    std::vector<std::string> lines;
    Logger logger;
    auto settings = captured(lines);
    settings.timestamp = true;
    ASSERT_TRUE(logger.configure(settings));
    const auto before = std::time(nullptr);
    logger.write(LogType::notice, "mosquitto version 2.0.11 starting");
    const auto after = std::time(nullptr);
    ASSERT_EQ(lines.size(), 1u);
    std::smatch m;
    ASSERT_TRUE(std::regex_match(lines[0], m, std::regex(R"((\d+): mosquitto version 2\.0\.11 starting)")))
        << lines[0];
    const auto stamp = std::stoll(m[1]);
    EXPECT_GE(stamp, before);
    EXPECT_LE(stamp, after);
}

TEST_F(LocalTimeUtc, LoggerUsesTimestampFormat) {
    std::vector<std::string> lines;
    Logger logger;
    auto settings = captured(lines);
    settings.timestamp = true;
    settings.timestamp_format = "%Y-%m-%dT%H:%M:%S";
    ASSERT_TRUE(logger.configure(settings));
    logger.write(LogType::notice, "hello");
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_TRUE(std::regex_match(lines[0], std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d: hello)")))
        << lines[0];
    // Switching the format back takes effect on the very next line, within the same second.
    settings.timestamp_format.clear();
    ASSERT_TRUE(logger.configure(settings));
    logger.write(LogType::notice, "hello");
    EXPECT_TRUE(std::regex_match(lines[1], std::regex(R"(\d+: hello)"))) << lines[1];
}

TEST(Logger, FileDestinationAppendsAndFlushesEachLine) {
    TempDir dir;
    const auto path = dir / "culex.log";
    std::ofstream(path) << "earlier line\n";
    Logger logger;
    LogSettings settings = LogSettings::none();
    settings.file = path.string();
    settings.timestamp = false;
    ASSERT_TRUE(logger.configure(settings));
    logger.write(LogType::error, "first");
    // Read while the logger is still open: each line must already be on disk.
    EXPECT_EQ(read_file(path), "earlier line\nfirst\n");
    logger.log(LogType::warning, "second {}", 2);
    EXPECT_EQ(read_file(path), "earlier line\nfirst\nsecond 2\n");
}

TEST(Logger, ReconfigureReopensFile) {
    TempDir dir;
    Logger logger;
    LogSettings settings = LogSettings::none();
    settings.timestamp = false;
    settings.file = (dir / "a.log").string();
    ASSERT_TRUE(logger.configure(settings));
    logger.write(LogType::error, "to a");
    // logrotate moves the file away, then SIGHUP makes the broker reconfigure with the same path.
    fs::rename(dir / "a.log", dir / "a.log.1");
    ASSERT_TRUE(logger.configure(settings));
    logger.write(LogType::error, "to fresh a");
    EXPECT_EQ(read_file(dir / "a.log.1"), "to a\n");
    EXPECT_EQ(read_file(dir / "a.log"), "to fresh a\n");
}

TEST(Logger, UnopenableFileIsAnErrorAndKeepsOldSettings) {
    TempDir dir;
    Logger logger;
    LogSettings settings = LogSettings::none();
    settings.timestamp = false;
    settings.file = (dir / "good.log").string();
    ASSERT_TRUE(logger.configure(settings));

    LogSettings bad = settings;
    bad.file = (dir / "no-such-dir" / "x.log").string();
    bad.types = LogType::none;
    auto result = logger.configure(bad);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("cannot open log file '" + bad.file + "' for appending"),
              std::string::npos)
        << result.error().message;
    EXPECT_NE(result.error().message.find("No such file or directory"), std::string::npos);

    EXPECT_TRUE(logger.enabled(LogType::error));
    logger.write(LogType::error, "still logging");
    EXPECT_EQ(read_file(dir / "good.log"), "still logging\n");
}

TEST(Logger, StdoutDestination) {
    Logger logger;
    LogSettings settings = LogSettings::none();
    settings.to_stdout = true;
    settings.timestamp = false;
    ASSERT_TRUE(logger.configure(settings));
    testing::internal::CaptureStdout();
    logger.write(LogType::notice, "Opening ipv4 listen socket on port 1883.");
    EXPECT_EQ(testing::internal::GetCapturedStdout(), "Opening ipv4 listen socket on port 1883.\n");
}

TEST(Logger, SeveralDestinationsAtOnce) {
    TempDir dir;
    std::vector<std::string> lines;
    Logger logger;
    LogSettings settings = captured(lines);
    settings.to_stdout = true;
    settings.file = (dir / "both.log").string();
    ASSERT_TRUE(logger.configure(settings));
    testing::internal::CaptureStdout();
    logger.write(LogType::notice, "everywhere");
    EXPECT_EQ(testing::internal::GetCapturedStdout(), "everywhere\n");
    EXPECT_EQ(read_file(dir / "both.log"), "everywhere\n");
    EXPECT_EQ(lines, std::vector<std::string>{"everywhere"});
}

// Several event-loop threads log at once while another thread reloads the settings (SIGHUP), switching
// between two files: every line lands whole in one of them, none is lost, and each thread's lines keep their
// order.
TEST(Logger, ConcurrentWritersProduceWholeLines) {
    TempDir dir;
    Logger logger;
    LogSettings a = LogSettings::none();
    a.file = (dir / "a.log").string();
    LogSettings b = a;
    b.file = (dir / "b.log").string();
    b.timestamp_format = "%Y-%m-%dT%H:%M:%S";
    ASSERT_TRUE(logger.configure(a));

    constexpr int kThreads = 6;
    constexpr int kLines = 1500;
    const std::string padding(180, '.');  // long lines make a torn write likely if writes were not whole
    std::atomic<int> done{0};
    std::vector<std::thread> writers;
    for (int t = 0; t < kThreads; ++t) {
        writers.emplace_back([&, t] {
            for (int i = 0; i < kLines; ++i)
                logger.log(LogType::notice, "writer {} line {} {}", t, i, padding);
            ++done;
        });
    }
    int reloads = 0;
    while (done.load() < kThreads) {
        ASSERT_TRUE(logger.configure(reloads % 2 == 0 ? b : a));
        ++reloads;
        std::this_thread::yield();
    }
    for (auto& w : writers)
        w.join();

    // Within one file lines are in write order; across the two files, order per writer is checked per file.
    const std::regex line_re(R"((\d+|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d): writer (\d+) line (\d+) (\.+))");
    std::map<int, int> count_per_writer;
    for (const char* name : {"a.log", "b.log"}) {
        std::map<int, int> last_seen;
        for (const auto& line : lines_of(read_file(dir / name))) {
            std::smatch m;
            ASSERT_TRUE(std::regex_match(line, m, line_re)) << "torn or mixed line: " << line;
            ASSERT_EQ(m[4].str(), padding);
            const int writer = std::stoi(m[2]);
            const int index = std::stoi(m[3]);
            auto [it, first] = last_seen.emplace(writer, index);
            if (!first) {
                EXPECT_GT(index, it->second) << "writer " << writer << " out of order in " << name;
                it->second = index;
            }
            ++count_per_writer[writer];
        }
    }
    for (int t = 0; t < kThreads; ++t)
        EXPECT_EQ(count_per_writer[t], kLines) << "writer " << t;
}

TEST(Logger, ProcessWideInstanceIsShared) {
    EXPECT_EQ(&logger(), &logger());
}

}  // namespace
}  // namespace culex::log
