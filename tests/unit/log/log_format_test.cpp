// `log_format json` (one object per line, every line valid JSON whatever bytes the message holds) and the
// syslog facility and severity mapping of `log_dest syslog` / `log_facility`.
#include <gtest/gtest.h>
#include <syslog.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "log/log_format.hpp"
#include "log/logger.hpp"
#include "log/syslog_mapping.hpp"

namespace culex::log {
namespace {

std::string json_line(LogType type, std::string_view message, bool with_time = true) {
    // 2026-12-06T11:09:42.123Z
    const auto when = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'796'555'382'123));
    std::string out;
    append_json_line(out, type, message, with_time ? &when : nullptr);
    return out;
}

TEST(JsonLog, OneObjectWithTimeTypeAndMessage) {
    const std::string line = json_line(LogType::notice, "culex version 0.1.0 running");
    EXPECT_EQ(
        line,
        R"({"time":"2026-12-06T11:09:42.123Z","type":"notice","message":"culex version 0.1.0 running"})");
    const auto parsed = nlohmann::json::parse(line);
    EXPECT_EQ(parsed["type"], "notice");
}

TEST(JsonLog, WithoutTimestampNoTime) {
    EXPECT_EQ(json_line(LogType::error, "x", false), R"({"type":"error","message":"x"})");
}

TEST(JsonLog, EveryTypeHasItsLogTypeWord) {
    const std::pair<LogType, std::string_view> cases[] = {
        {LogType::information, "information"},
        {LogType::notice, "notice"},
        {LogType::warning, "warning"},
        {LogType::error, "error"},
        {LogType::debug, "debug"},
        {LogType::subscribe, "subscribe"},
        {LogType::unsubscribe, "unsubscribe"},
        {LogType::websockets, "websockets"},
    };
    for (const auto& [type, word] : cases)
        EXPECT_EQ(nlohmann::json::parse(json_line(type, "m"))["type"].get<std::string>(), word);
}

TEST(JsonLog, QuotesControlsAndBadUtf8StillParse) {
    // Client ids and topics end up in messages: quotes, backslashes, tabs, control bytes and bytes that are
    // not UTF-8 (a lone continuation byte, a truncated sequence, an overlong form, a surrogate).
    const std::string message = std::string("id \"a\\b\"\t\x01 caf\xC3\xA9 \xE2\x82\xAC bad:") + "\x80" +
                                "\xE2\x82" + "\xC0\xAF" + "\xED\xA0\x80" + " \xF0\x9F\x98\x80 end\x7F";
    const std::string line = json_line(LogType::debug, message);
    nlohmann::json parsed;
    ASSERT_NO_THROW(parsed = nlohmann::json::parse(line)) << line;
    const std::string decoded = parsed["message"];
    const std::string valid_start = "id \"a\\b\"\t\x01 caf\xC3\xA9 \xE2\x82\xAC";
    EXPECT_EQ(decoded.substr(0, valid_start.size()), valid_start);
    EXPECT_NE(decoded.find("\xF0\x9F\x98\x80 end\x7F"), std::string::npos);
    EXPECT_NE(decoded.find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD for what was not UTF-8
    EXPECT_EQ(line.find('\x01'), std::string::npos);             // control bytes escaped, not raw
    EXPECT_EQ(line.find('\t'), std::string::npos);
}

TEST(JsonLog, LoggerWritesJsonLinesWhenAsked) {
    Logger logger;
    std::vector<std::string> lines;
    LogSettings settings = LogSettings::none();
    settings.format = LogFormat::json;
    settings.capture = [&](std::string_view line) { lines.emplace_back(line); };
    ASSERT_TRUE(logger.configure(settings));
    logger.log(LogType::warning, "Warning: {} \"{}\"", "quoted", "x");
    logger.log(LogType::debug, "not enabled by default");
    ASSERT_EQ(lines.size(), 1u);
    const auto parsed = nlohmann::json::parse(lines[0]);
    EXPECT_EQ(parsed["type"], "warning");
    EXPECT_EQ(parsed["message"], "Warning: quoted \"x\"");
    EXPECT_TRUE(parsed.contains("time"));
}

TEST(Syslog, FacilityIsLocalNOrDaemon) {
    EXPECT_EQ(syslog_facility(std::nullopt), LOG_DAEMON);
    const int local[] = {LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
                         LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7};
    for (int n = 0; n < 8; ++n)
        EXPECT_EQ(syslog_facility(n), local[n]);
    EXPECT_EQ(syslog_facility(8), std::nullopt);
    EXPECT_EQ(syslog_facility(-1), std::nullopt);
}

TEST(Syslog, SeveritiesAreMosquittos) {
    EXPECT_EQ(syslog_severity(LogType::error), LOG_ERR);
    EXPECT_EQ(syslog_severity(LogType::warning), LOG_WARNING);
    EXPECT_EQ(syslog_severity(LogType::notice), LOG_NOTICE);
    EXPECT_EQ(syslog_severity(LogType::subscribe), LOG_NOTICE);
    EXPECT_EQ(syslog_severity(LogType::unsubscribe), LOG_NOTICE);
    EXPECT_EQ(syslog_severity(LogType::information), LOG_INFO);
    EXPECT_EQ(syslog_severity(LogType::debug), LOG_DEBUG);
    EXPECT_EQ(syslog_severity(LogType::websockets), LOG_DEBUG);
}

TEST(Syslog, BadFacilityIsRefusedAndChangesNothing) {
    Logger logger;
    LogSettings settings = LogSettings::none();
    settings.to_syslog = true;
    settings.facility = 9;
    auto configured = logger.configure(settings);
    ASSERT_FALSE(configured);
    EXPECT_EQ(configured.error().message, "log_facility must be 0 to 7 (local0 to local7), got 9");
    EXPECT_FALSE(logger.settings().to_syslog);
}

}  // namespace
}  // namespace culex::log
