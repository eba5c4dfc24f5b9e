// Lines culex refuses, and the exact message: file:line, the cause, and the fix.
#include <gtest/gtest.h>

#include "config/config.hpp"

namespace culex::config {
namespace {

struct BadLine {
    std::string_view text;
    std::string_view error;
};

TEST(BadLines, ExactErrors) {
    const BadLine cases[] = {
        // Unknown words
        {"listener 1883\nallow_anonymous true\nlistner 8883",
         "culex.conf:3: unknown option 'listner': did you mean 'listener'?"},
        {"max_inflight_message 10",
         "culex.conf:1: unknown option 'max_inflight_message': did you mean "
         "'max_inflight_messages'?"},
        {"Listener 1883", "culex.conf:1: unknown option 'Listener': did you mean 'listener'?"},
        {"frobnicate yes",
         "culex.conf:1: unknown option 'frobnicate': check its spelling; docs/config.md lists every option"},
        // Bad numbers
        {"listener 1883\n\n\n\nmax_inflight_messages lots",
         "culex.conf:5: 'max_inflight_messages' needs a number between 0 and 65535, got 'lots'"},
        {"max_inflight_messages 65536",
         "culex.conf:1: 'max_inflight_messages' needs a number between 0 and 65535, got '65536'"},
        {"max_inflight_messages -1",
         "culex.conf:1: 'max_inflight_messages' needs a number between 0 and 65535, got '-1'"},
        {"max_queued_messages 1k",
         "culex.conf:1: 'max_queued_messages' needs a number between 0 and 2147483647, got "
         "'1k'"},
        {"message_size_limit 268435456",
         "culex.conf:1: 'message_size_limit' needs a number between 0 and 268435455, got '268435456'"},
        {"max_packet_size 19",
         "culex.conf:1: 'max_packet_size' needs a number between 20 and 268435460, got '19'"},
        {"max_keepalive 5", "culex.conf:1: 'max_keepalive' needs a number between 10 and 65535, got '5'"},
        {"memory_limit -1",
         "culex.conf:1: 'memory_limit' needs a number between 0 and 9223372036854775807, got '-1'"},
        {"max_subscriptions_per_client -1",
         "culex.conf:1: 'max_subscriptions_per_client' needs a number between 0 and 2147483647, got '-1'"},
        {"max_connections -2",
         "culex.conf:1: 'max_connections' needs a number between -1 and 2147483647, got '-2'"},
        {"threads many", "culex.conf:1: 'threads' needs a number between 0 and 1024, got 'many'"},
        {"autosave_interval -5",
         "culex.conf:1: 'autosave_interval' needs a number between 0 and 2147483647, got "
         "'-5'"},
        {"listener 70000", "culex.conf:1: 'listener' needs a number between 0 and 65535, got '70000'"},
        {"port 0", "culex.conf:1: 'port' needs a number between 1 and 65535, got '0'"},
        // Bad booleans
        {"allow_anonymous yes", "culex.conf:1: 'allow_anonymous' needs true or false, got 'yes'"},
        {"listener 8883\nrequire_certificate 1",
         "culex.conf:2: 'require_certificate' needs true or false, got '1'"},
        {"persistence TRUE", "culex.conf:1: 'persistence' needs true or false, got 'TRUE'"},
        {"persistence_sync always", "culex.conf:1: 'persistence_sync' needs os or fsync, got 'always'"},
        // Bad durations
        {"persistent_client_expiration 5",
         "culex.conf:1: 'persistent_client_expiration' needs a whole number followed by h, d, w, m or y "
         "(hours, "
         "days, weeks, months of 30 days, years of 365 days), such as 14d; got '5'"},
        // Missing values
        {"listener", "culex.conf:1: 'listener' needs a value; write it as 'listener PORT [BIND_ADDRESS]'"},
        {"password_file", "culex.conf:1: 'password_file' needs a value; write it as 'password_file PATH'"},
        {"password_file   # where?",
         "culex.conf:1: 'password_file' needs a value; write it as 'password_file PATH'"},
        {"max_inflight_messages",
         "culex.conf:1: 'max_inflight_messages' needs a value; write it as "
         "'max_inflight_messages COUNT'"},
        {"listener 0",
         "culex.conf:1: 'listener 0' is a Unix socket listener and needs its path; write it as "
         "'listener 0 /run/culex.sock', or give a port from 1 to 65535"},
        {"log_dest file",
         "culex.conf:1: 'log_dest file' needs the file's path; write it as 'log_dest file "
         "/var/log/culex.log'"},
        // Extra values
        {"listener 1883 0.0.0.0 extra",
         "culex.conf:1: 'listener' has too many values ('1883 0.0.0.0 extra'); "
         "write it as 'listener PORT [BIND_ADDRESS]'"},
        {"max_inflight_messages 10 20",
         "culex.conf:1: 'max_inflight_messages' has too many values ('10 20'); "
         "write it as 'max_inflight_messages COUNT'"},
        {"allow_anonymous true false",
         "culex.conf:1: 'allow_anonymous' has too many values ('true false'); write "
         "it as 'allow_anonymous true|false'"},
        {"log_type error warning",
         "culex.conf:1: 'log_type' has too many values ('error warning'); write it as 'log_type TYPE'"},
        // Bad choices
        {"listener 1883\nprotocol websocket",
         "culex.conf:2: 'protocol' needs mqtt or websockets or http, got 'websocket': did you mean "
         "'websockets'?"},
        {"listener 1883\nsocket_domain ipv5",
         "culex.conf:2: 'socket_domain' needs ipv4 or ipv6, got 'ipv5': did you mean 'ipv4'?"},
        {"listener 8883\ntls_version tlsv1.0",
         "culex.conf:2: 'tls_version' needs tlsv1.3 or tlsv1.2 or tlsv1.1, got "
         "'tlsv1.0': did you mean 'tlsv1.3'?"},
        {"log_type info",
         "culex.conf:1: 'log_type' needs one of debug, error, warning, notice, information, "
         "subscribe, unsubscribe, websockets, none, all, got 'info': did you mean 'information'?"},
        {"log_dest stdrr",
         "culex.conf:1: 'log_dest' needs stdout, stderr, file PATH, syslog, topic or none, got 'stdrr': did "
         "you mean 'stderr'?"},
        {"log_dest file /a.log\nlog_dest file /b.log",
         "culex.conf:2: only one 'log_dest file' is allowed (as in Mosquitto): remove all but one"},
        {"listener 1883\nmount_point a/#",
         "culex.conf:2: 'mount_point' is a topic prefix and cannot contain the wildcards + or #, got 'a/#'"},
        // Whole-file checks name the listener's line
        {"listener 1883\nlistener 8883\ncertfile /pki/server.crt",
         "culex.conf:2: listener 8883 has a certfile but no keyfile: add 'keyfile PATH' below it (TLS needs "
         "both)"},
        {"listener 8883\nkeyfile /pki/server.key",
         "culex.conf:1: listener 8883 has a keyfile but no certfile: add 'certfile PATH' below it (TLS needs "
         "both)"},
        {"listener 1883\nlistener 1883",
         "culex.conf:2: listener 1883 is defined twice (also at culex.conf:1): give "
         "each listener its own port or address, or remove one"},
        {"port 1883\nlistener 1883",
         "culex.conf:1: the default listener (port 1883) is defined twice (also at "
         "culex.conf:2): give each listener its own port or address, or remove one"},
        // per_listener_settings ordering
        {"allow_anonymous true\nper_listener_settings true",
         "culex.conf:2: 'per_listener_settings true' must come before every allow_anonymous, password_file, "
         "acl_file, allow_zero_length_clientid and auto_id_prefix line: move it to the top of the file"},
        {"per_listener_settings true\npassword_file /etc/passwd\nlistener 1883",
         "culex.conf:2: 'password_file' comes before any 'listener' line, but per_listener_settings is true, "
         "so "
         "it belongs to no listener: move it below the 'listener' line it is meant for"},
    };
    for (const auto& [text, error] : cases) {
        auto parsed = parse_config(text, "culex.conf");
        ASSERT_FALSE(parsed) << "accepted: " << text;
        EXPECT_EQ(parsed.error().to_string(), error) << text;
    }
}

TEST(BadLines, ErrorCarriesFileAndLineSeparately) {
    auto parsed = parse_config("listener 1883\nlistner 8883\n", "/etc/culex/culex.conf");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().file, "/etc/culex/culex.conf");
    EXPECT_EQ(parsed.error().line, 2);
    EXPECT_EQ(parsed.error().message, "unknown option 'listner': did you mean 'listener'?");
}

}  // namespace
}  // namespace culex::config
