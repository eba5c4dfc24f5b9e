// The options of running as a service: pid_file, user, log_dest syslog, log_facility, log_format.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "config/unimplemented.hpp"
#include "parse_text.hpp"

namespace culex::config {
namespace {

using text_parsing::parse_error;
using text_parsing::parse_ok;

TEST(ServiceOptions, Defaults) {
    const Config c = parse_ok("listener 1883\n");
    EXPECT_EQ(c.pid_file, "");
    EXPECT_EQ(c.user, std::nullopt);  // culex stays the user it was started as
    EXPECT_FALSE(c.log.to_syslog);
    EXPECT_EQ(c.log.facility, std::nullopt);
    EXPECT_EQ(c.log.format, log::LogFormat::text);
    EXPECT_TRUE(c.warnings.empty());
}

TEST(ServiceOptions, BecomeTypedValues) {
    const Config c = parse_ok(
        "pid_file /run/culex/culex.pid\nuser culex\nlog_dest syslog\nlog_facility 3\nlog_format json\n");
    EXPECT_EQ(c.pid_file, "/run/culex/culex.pid");
    EXPECT_EQ(c.user, "culex");
    EXPECT_TRUE(c.log.to_syslog);
    EXPECT_FALSE(c.log.to_stderr);  // the first log_dest replaces the default
    EXPECT_EQ(c.log.facility, 3);
    EXPECT_EQ(c.log.format, log::LogFormat::json);
    EXPECT_TRUE(c.warnings.empty());  // implemented: no "not implemented" warning any more
}

TEST(ServiceOptions, SyslogBesideStderrAndNoneClearsIt) {
    EXPECT_TRUE(parse_ok("log_dest stderr\nlog_dest syslog\n").log.to_stderr);
    EXPECT_FALSE(parse_ok("log_dest syslog\nlog_dest none\n").log.to_syslog);
}

TEST(ServiceOptions, NoLongerListedAsUnimplemented) {
    for (const char* option : {"pid_file", "user", "log_facility"})
        EXPECT_EQ(find_unimplemented(option), nullptr) << option;
}

TEST(ServiceOptions, BadValuesNameTheLineAndTheFix) {
    EXPECT_NE(parse_error("log_facility 8").find("culex.conf:1: "), std::string::npos);
    EXPECT_NE(parse_error("log_facility 8").find("log_facility N means syslog's local N"), std::string::npos);
    EXPECT_EQ(parse_error("log_format xml"), "culex.conf:1: 'log_format' needs text or json, got 'xml'");
    EXPECT_NE(parse_error("user culex nogroup").find("'user' has too many values"), std::string::npos);
    EXPECT_EQ(parse_error("pid_file"), "culex.conf:1: 'pid_file' needs a value; write it as 'pid_file PATH'");
}

}  // namespace
}  // namespace culex::config
