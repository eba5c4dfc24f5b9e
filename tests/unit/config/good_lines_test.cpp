// Lines culex accepts, and the typed values they become; and the defaults when a file says nothing.
#include <gtest/gtest.h>

#include <functional>

#include "config/config.hpp"
#include "parse_text.hpp"

namespace culex::config {
namespace {

using text_parsing::parse_ok;

using namespace std::chrono_literals;
using log::LogType;

// The one listener a single `listener` line makes.
const Listener& only_listener(const Config& c) {
    EXPECT_EQ(c.listeners.size(), 1u);
    static const Listener kNone;
    return c.listeners.empty() ? kNone : c.listeners.front();
}

struct GoodLine {
    std::string_view text;
    std::function<void(const Config&)> check;
};

TEST(GoodLines, BecomeTypedValues) {
    const GoodLine cases[] = {
        // Global limits and behaviour
        {"websockets_headers_size 4096",
         [](const Config& c) { EXPECT_EQ(c.websockets_headers_size, 4096u); }},
        {"check_retain_source false", [](const Config& c) { EXPECT_FALSE(c.check_retain_source); }},
        {"max_inflight_bytes 65536", [](const Config& c) { EXPECT_EQ(c.max_inflight_bytes, 65536u); }},
        {"max_inflight_messages 0", [](const Config& c) { EXPECT_EQ(c.max_inflight_messages, 0); }},
        {"max_inflight_messages 65535", [](const Config& c) { EXPECT_EQ(c.max_inflight_messages, 65535); }},
        {"max_queued_messages 5000", [](const Config& c) { EXPECT_EQ(c.max_queued_messages, 5000u); }},
        {"max_queued_bytes 10000000000",
         [](const Config& c) { EXPECT_EQ(c.max_queued_bytes, 10'000'000'000u); }},
        {"message_size_limit 268435455",
         [](const Config& c) { EXPECT_EQ(c.message_size_limit, 268'435'455u); }},
        {"max_packet_size 20", [](const Config& c) { EXPECT_EQ(c.max_packet_size, 20u); }},
        {"max_packet_size 268435460", [](const Config& c) { EXPECT_EQ(c.max_packet_size, 268'435'460u); }},
        {"max_keepalive 60", [](const Config& c) { EXPECT_EQ(c.max_keepalive, 60); }},
        {"memory_limit 268435456", [](const Config& c) { EXPECT_EQ(c.memory_limit, 268'435'456u); }},
        {"max_subscriptions_per_client 0",
         [](const Config& c) { EXPECT_EQ(c.max_subscriptions_per_client, 0u); }},
        {"max_subscriptions_per_client 50",
         [](const Config& c) { EXPECT_EQ(c.max_subscriptions_per_client, 50u); }},
        {"persistent_client_expiration 14d",
         [](const Config& c) { EXPECT_EQ(c.persistent_client_expiration, std::chrono::seconds(14 * 24h)); }},
        {"persistent_client_expiration 1y",
         [](const Config& c) { EXPECT_EQ(c.persistent_client_expiration, std::chrono::seconds(365 * 24h)); }},
        {"retain_available false", [](const Config& c) { EXPECT_FALSE(c.retain_available); }},
        {"upgrade_outgoing_qos true", [](const Config& c) { EXPECT_TRUE(c.upgrade_outgoing_qos); }},
        {"set_tcp_nodelay true", [](const Config& c) { EXPECT_TRUE(c.set_tcp_nodelay); }},
        {"allow_zero_length_clientid false",
         [](const Config& c) {
             EXPECT_FALSE(c.security.allow_zero_length_clientid);
             EXPECT_FALSE(c.listeners.front().security.allow_zero_length_clientid);
         }},
        {"auto_id_prefix lab-", [](const Config& c) { EXPECT_EQ(c.security.auto_id_prefix, "lab-"); }},
        {"threads 4", [](const Config& c) { EXPECT_EQ(c.threads, 4u); }},
        {"threads 0", [](const Config& c) { EXPECT_EQ(c.threads, 0u); }},
        {"max_connections 100", [](const Config& c) { EXPECT_EQ(c.max_connections, 100u); }},
        {"max_connections -1", [](const Config& c) { EXPECT_EQ(c.max_connections, std::nullopt); }},
        // Security
        {"allow_anonymous true", [](const Config& c) { EXPECT_TRUE(c.security.allow_anonymous); }},
        {"listener 1883\nallow_anonymous false",
         [](const Config& c) { EXPECT_FALSE(only_listener(c).security.allow_anonymous); }},
        {"password_file /etc/culex/passwd",
         [](const Config& c) {
             EXPECT_EQ(c.security.password_file, "/etc/culex/passwd");
             EXPECT_EQ(c.listeners.front().security.password_file, "/etc/culex/passwd");
         }},
        {"acl_file /etc/culex/acl",
         [](const Config& c) { EXPECT_EQ(c.security.acl_file, "/etc/culex/acl"); }},
        // Paths keep their spaces; trailing blanks and a CR (a file edited on Windows) go.
        {"password_file /srv/my files/passwd  \r",
         [](const Config& c) { EXPECT_EQ(c.security.password_file, "/srv/my files/passwd"); }},
        // Persistence
        {"persistence false\npersistence_location /var/lib/culex/\npersistence_file culex.db",
         [](const Config& c) {
             EXPECT_FALSE(c.persistence.enabled);
             EXPECT_EQ(c.persistence.path(), "/var/lib/culex/culex.db");
         }},
        {"persistence false", [](const Config& c) { EXPECT_EQ(c.persistence.path(), "mosquitto.db"); }},
        {"persistence_sync fsync", [](const Config& c) { EXPECT_TRUE(c.persistence.fsync); }},
        {"queue_qos0_messages true", [](const Config& c) { EXPECT_TRUE(c.queue_qos0_messages); }},
        {"persistence_sync os", [](const Config& c) { EXPECT_FALSE(c.persistence.fsync); }},
        // Logging
        {"log_type all", [](const Config& c) { EXPECT_EQ(c.log.types, LogType::all); }},
        {"log_type error\nlog_type subscribe",
         [](const Config& c) { EXPECT_EQ(c.log.types, LogType::error | LogType::subscribe); }},
        {"log_type all\nlog_type none\nlog_type debug",
         [](const Config& c) { EXPECT_EQ(c.log.types, LogType::debug); }},
        {"log_dest stdout",
         [](const Config& c) {
             EXPECT_TRUE(c.log.to_stdout);
             EXPECT_FALSE(c.log.to_stderr);  // the first log_dest replaces the default
         }},
        {"log_dest stderr\nlog_dest stdout",
         [](const Config& c) {
             EXPECT_TRUE(c.log.to_stdout);
             EXPECT_TRUE(c.log.to_stderr);
         }},
        {"log_dest topic",
         [](const Config& c) {
             EXPECT_TRUE(c.log_to_topic);
             EXPECT_FALSE(c.log.to_stderr);  // as any first log_dest
         }},
        {"log_dest topic\nlog_dest none", [](const Config& c) { EXPECT_FALSE(c.log_to_topic); }},
        {"log_dest file /var/log/culex/culex.log",
         [](const Config& c) {
             EXPECT_EQ(c.log.file, "/var/log/culex/culex.log");
             EXPECT_FALSE(c.log.to_stderr);
         }},
        {"log_dest stdout\nlog_dest none",
         [](const Config& c) {
             EXPECT_FALSE(c.log.to_stdout);
             EXPECT_FALSE(c.log.to_stderr);
             EXPECT_TRUE(c.log.file.empty());
         }},
        {"log_timestamp false", [](const Config& c) { EXPECT_FALSE(c.log.timestamp); }},
        {"log_timestamp_format %Y-%m-%d %H:%M:%S",
         [](const Config& c) { EXPECT_EQ(c.log.timestamp_format, "%Y-%m-%d %H:%M:%S"); }},
        {"connection_messages false", [](const Config& c) { EXPECT_FALSE(c.log.connection_messages); }},
        // Listeners
        {"listener 8883", [](const Config& c) { EXPECT_EQ(only_listener(c).port, 8883); }},
        {"listener 1883 192.168.1.10",
         [](const Config& c) {
             EXPECT_EQ(only_listener(c).port, 1883);
             EXPECT_EQ(only_listener(c).bind_address, "192.168.1.10");
         }},
        {"listener 0 /run/culex.sock",
         [](const Config& c) { EXPECT_EQ(only_listener(c).unix_socket_path, "/run/culex.sock"); }},
        {"listener 1883\nsocket_domain ipv6",
         [](const Config& c) { EXPECT_EQ(only_listener(c).socket_domain, SocketDomain::ipv6); }},
        {"listener 9001\nprotocol websockets",
         [](const Config& c) { EXPECT_EQ(only_listener(c).protocol, ListenerProtocol::websockets); }},
        {"listener 1883\nbind_interface eth0",
         [](const Config& c) { EXPECT_EQ(only_listener(c).bind_interface, "eth0"); }},
        {"listener 1883\nmount_point tenant/a/",
         [](const Config& c) { EXPECT_EQ(only_listener(c).mount_point, "tenant/a/"); }},
        {"listener 1883\nmax_connections 10",
         [](const Config& c) { EXPECT_EQ(only_listener(c).max_connections, 10u); }},
        {"listener 1883  # plain MQTT", [](const Config& c) { EXPECT_EQ(only_listener(c).port, 1883); }},
        {"\tlistener\t1883 ", [](const Config& c) { EXPECT_EQ(only_listener(c).port, 1883); }},
        // TLS
        {"listener 8883\ncafile /pki/ca.crt\ncapath /pki/cas\ncertfile /pki/server.crt\nkeyfile "
         "/pki/server.key\n"
         "keyfile_password s3cret\ncrlfile /pki/crl.pem\nrequire_certificate true\nuse_identity_as_username "
         "true\n"
         "use_subject_as_username true\ntls_version tlsv1.3\nciphers ECDHE-RSA-AES256-GCM-SHA384\n"
         "ciphers_tls1.3 TLS_AES_256_GCM_SHA384\ntls_keyform pem",
         [](const Config& c) {
             const auto& tls = only_listener(c).tls;
             EXPECT_TRUE(tls.enabled());
             EXPECT_EQ(tls.cafile, "/pki/ca.crt");
             EXPECT_EQ(tls.capath, "/pki/cas");
             EXPECT_EQ(tls.certfile, "/pki/server.crt");
             EXPECT_EQ(tls.keyfile, "/pki/server.key");
             EXPECT_EQ(tls.keyfile_password, "s3cret");
             EXPECT_EQ(tls.crlfile, "/pki/crl.pem");
             EXPECT_TRUE(tls.require_certificate);
             EXPECT_TRUE(tls.use_identity_as_username);
             EXPECT_TRUE(tls.use_subject_as_username);
             EXPECT_EQ(tls.min_version, TlsVersion::tls1_3);
             EXPECT_EQ(tls.ciphers, "ECDHE-RSA-AES256-GCM-SHA384");
             EXPECT_EQ(tls.ciphers_tls13, "TLS_AES_256_GCM_SHA384");
             EXPECT_EQ(tls.keyform, KeyForm::pem);
         }},
        {"\xEF\xBB\xBFlistener 1883", [](const Config& c) { EXPECT_EQ(only_listener(c).port, 1883); }},
        // Comments and blank lines
        {"# a comment\n\n   \n  # an indented comment\nlistener 1883\n",
         [](const Config& c) { EXPECT_EQ(only_listener(c).port, 1883); }},
    };
    for (const auto& [text, check] : cases) {
        SCOPED_TRACE(std::string(text));
        const Config config = parse_ok(text);
        EXPECT_TRUE(config.warnings.empty()) << config.warnings.front().to_string();
        check(config);
    }
}

TEST(GoodLines, PersistenceIsOnWithoutAWarning) {
    const Config c = parse_ok("listener 1883\npersistence true\n");
    EXPECT_TRUE(c.persistence.enabled);
    EXPECT_FALSE(c.persistence.fsync);
    EXPECT_TRUE(c.warnings.empty());
}

TEST(GoodLines, AutosaveOptionsAreAcceptedAndSaidToHaveNoEffect) {
    const Config c = parse_ok("listener 1883\nautosave_interval 60\nautosave_on_changes 10\n");
    EXPECT_EQ(c.persistence.autosave_interval, 60s);
    ASSERT_EQ(c.warnings.size(), 2u);
    EXPECT_EQ(c.warnings[0].line, 2);
    EXPECT_NE(c.warnings[0].message.find("autosave_interval has no effect"), std::string::npos);
    EXPECT_NE(c.warnings[1].message.find("autosave_on_changes has no effect"), std::string::npos);
}

TEST(GoodLines, DefaultsFollowMosquitto) {
    const Config c = parse_ok("listener 1883\n");
    EXPECT_FALSE(c.local_only);
    EXPECT_FALSE(c.per_listener_settings);
    EXPECT_FALSE(c.security.allow_anonymous);  // Mosquitto 2: off once a listener is configured
    EXPECT_TRUE(c.security.allow_zero_length_clientid);
    EXPECT_EQ(c.security.auto_id_prefix, "auto-");
    EXPECT_EQ(c.max_connections, std::nullopt);
    EXPECT_EQ(c.max_inflight_messages, 20);
    EXPECT_EQ(c.max_queued_messages, 1000u);
    EXPECT_EQ(c.max_queued_bytes, 0u);
    EXPECT_EQ(c.message_size_limit, 0u);
    EXPECT_EQ(c.max_packet_size, std::nullopt);
    EXPECT_EQ(c.max_keepalive, 65535);
    EXPECT_EQ(c.memory_limit, 0u);                       // no limit
    EXPECT_EQ(c.max_subscriptions_per_client, 10'000u);  // culex's own
    EXPECT_EQ(c.persistent_client_expiration, std::nullopt);
    EXPECT_TRUE(c.retain_available);
    EXPECT_FALSE(c.upgrade_outgoing_qos);
    EXPECT_FALSE(c.set_tcp_nodelay);
    EXPECT_FALSE(c.persistence.enabled);
    EXPECT_EQ(c.persistence.autosave_interval, 1800s);
    EXPECT_EQ(c.log.types, log::kDefaultLogTypes);
    EXPECT_TRUE(c.log.to_stderr);
    EXPECT_FALSE(c.log.to_stdout);
    EXPECT_TRUE(c.log.file.empty());
    EXPECT_TRUE(c.log.timestamp);
    EXPECT_TRUE(c.log.timestamp_format.empty());
    EXPECT_TRUE(c.log.connection_messages);
    EXPECT_EQ(c.threads, 0u);
    const Listener& l = only_listener(c);
    EXPECT_EQ(l.socket_domain, SocketDomain::any);
    EXPECT_EQ(l.protocol, ListenerProtocol::mqtt);
    EXPECT_EQ(l.max_connections, std::nullopt);
    EXPECT_FALSE(l.tls.enabled());
    EXPECT_EQ(l.tls.min_version, std::nullopt);
    EXPECT_EQ(l.source_file, "culex.conf");
    EXPECT_EQ(l.source_line, 1);
    EXPECT_EQ(c.files, std::vector<std::string>{"culex.conf"});
}

}  // namespace
}  // namespace culex::config
