// `connection` blocks read into BridgeConfig: values, defaults, and the errors mosquitto.conf(5)'s rules call
// for (each naming file:line).
#include <gtest/gtest.h>
#include <unistd.h>

#include <climits>

#include "config/config.hpp"

namespace culex::config {
namespace {

std::expected<Config, ConfigError> parse(const std::string& bridge_lines) {
    return parse_config("listener 1883\nconnection cloud\n" + bridge_lines, "culex.conf");
}

std::string error_of(const std::string& bridge_lines) {
    auto c = parse(bridge_lines);
    return c ? std::string("(accepted)") : c.error().to_string();
}

TEST(BridgeConfig, EveryOptionIsRead) {
    auto c = parse(R"(addresses a.example:1884 [::1]:1885 b.example
topic sensors/# both 2 site/ central/
topic cmd in
bridge_protocol_version mqttv50
cleansession true
local_cleansession false
remote_clientid gateway
local_clientid gw-local
remote_username bob
remote_password secret word
keepalive_interval 30
restart_timeout 2 10
try_private false
notifications false
notification_topic bridges/gateway
notifications_local_only true
bridge_outgoing_retain false
bridge_attempt_unsubscribe false
round_robin true
start_type once
)");
    ASSERT_TRUE(c) << c.error().to_string();
    ASSERT_EQ(c->bridges.size(), 1u);
    const BridgeConfig& b = c->bridges[0];
    EXPECT_EQ(b.name, "cloud");
    EXPECT_EQ(b.source_line, 2);
    ASSERT_EQ(b.addresses.size(), 3u);
    EXPECT_EQ(b.addresses[0].host, "a.example");
    EXPECT_EQ(b.addresses[0].port, 1884);
    EXPECT_EQ(b.addresses[1].host, "::1");
    EXPECT_EQ(b.addresses[1].port, 1885);
    EXPECT_EQ(b.addresses[2].port, 1883);
    ASSERT_EQ(b.topics.size(), 2u);
    EXPECT_EQ(b.topics[0].pattern, "sensors/#");
    EXPECT_EQ(b.topics[0].direction, BridgeDirection::both);
    EXPECT_EQ(b.topics[0].qos, 2);
    EXPECT_EQ(b.topics[0].local_prefix, "site/");
    EXPECT_EQ(b.topics[0].remote_prefix, "central/");
    EXPECT_EQ(b.topics[1].direction, BridgeDirection::in);
    EXPECT_EQ(b.topics[1].qos, 0);
    EXPECT_EQ(b.protocol, BridgeProtocol::mqttv50);
    EXPECT_TRUE(b.clean_session);
    EXPECT_FALSE(b.local_clean());
    EXPECT_EQ(b.remote_clientid, "gateway");
    EXPECT_EQ(b.local_clientid, "gw-local");
    EXPECT_EQ(b.remote_username, "bob");
    EXPECT_EQ(b.remote_password, "secret word");
    EXPECT_EQ(b.keepalive_interval, 30);
    EXPECT_EQ(b.restart_base_seconds, 2u);
    EXPECT_EQ(b.restart_cap_seconds, 10u);
    EXPECT_FALSE(b.try_private);
    EXPECT_FALSE(b.notifications);
    EXPECT_EQ(b.notification_topic, "bridges/gateway");
    EXPECT_TRUE(b.notifications_local_only);
    EXPECT_FALSE(b.outgoing_retain);
    EXPECT_FALSE(b.attempt_unsubscribe);
    EXPECT_TRUE(b.round_robin);
    EXPECT_EQ(b.start_type, BridgeStartType::once);
    EXPECT_TRUE(c->warnings.empty());
}

TEST(BridgeConfig, DefaultsAsMosquitto) {
    auto c = parse("address remote.example\ntopic #\n");
    ASSERT_TRUE(c) << c.error().to_string();
    const BridgeConfig& b = c->bridges[0];
    char host[HOST_NAME_MAX + 1] = {};
    ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
    EXPECT_EQ(b.remote_clientid, std::string(host) + ".cloud");
    EXPECT_EQ(b.local_clientid, "local." + b.remote_clientid);
    EXPECT_EQ(b.notification_topic, "$SYS/broker/connection/" + b.remote_clientid + "/state");
    EXPECT_EQ(b.topics[0].direction, BridgeDirection::out);
    EXPECT_EQ(b.protocol, BridgeProtocol::mqttv311);
    EXPECT_FALSE(b.clean_session);
    EXPECT_FALSE(b.local_clean());
    EXPECT_EQ(b.keepalive_interval, 60);
    EXPECT_EQ(b.restart_base_seconds, 5u);
    EXPECT_EQ(b.restart_cap_seconds, 30u);
    EXPECT_TRUE(b.try_private);
    EXPECT_TRUE(b.notifications);
    EXPECT_TRUE(b.outgoing_retain);
    EXPECT_EQ(b.start_type, BridgeStartType::automatic);
}

TEST(BridgeConfig, OldSpellingsAndConstantRestart) {
    auto c = parse("address h\ntopic #\nclientid old\nusername u\npassword p\nrestart_timeout 20\n");
    ASSERT_TRUE(c) << c.error().to_string();
    const BridgeConfig& b = c->bridges[0];
    EXPECT_EQ(b.remote_clientid, "old");
    EXPECT_EQ(b.remote_username, "u");
    EXPECT_EQ(b.remote_password, "p");
    EXPECT_EQ(b.restart_base_seconds, 20u);
    EXPECT_EQ(b.restart_cap_seconds, std::nullopt);
}

// The placeholder rows of mosquitto.conf(5)'s remapping table.
TEST(BridgeConfig, RemappingTableValidity) {
    EXPECT_EQ(error_of("address h\ntopic pattern out 0 L/ R/\n"), "(accepted)");
    EXPECT_EQ(error_of("address h\ntopic pattern out 0 L/ \"\"\n"), "(accepted)");
    EXPECT_EQ(error_of("address h\ntopic pattern out 0 \"\" R/\n"), "(accepted)");
    EXPECT_EQ(error_of("address h\ntopic pattern out 0 \"\" \"\"\n"), "(accepted)");
    EXPECT_EQ(error_of("address h\ntopic \"\" out 0 local remote\n"), "(accepted)");
    for (const char* invalid : {"topic \"\" out 0 local \"\"\n", "topic \"\" out 0 \"\" remote\n",
                                "topic \"\" out 0 \"\" \"\"\n", "topic \"\"\n"}) {
        std::string message = error_of(std::string("address h\n") + invalid);
        EXPECT_TRUE(message.starts_with("culex.conf:4: 'topic \"\"' needs a local and a remote prefix"))
            << message;
    }
    auto c = parse("address h\ntopic \"\" both 1 local remote\n");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->bridges[0].topics[0].pattern, "");
    EXPECT_EQ(c->bridges[0].topics[0].local_prefix, "local");
}

TEST(BridgeConfig, BadLinesNameTheCause) {
    EXPECT_EQ(error_of("address h\ntopic a sideways\n"),
              "culex.conf:4: 'topic' direction must be out, in or both, got 'sideways'");
    EXPECT_TRUE(error_of("address h\ntopic a out 3\n").starts_with("culex.conf:4: 'topic QoS'"));
    EXPECT_TRUE(error_of("address h\ntopic a out 1 L/\n")
                    .starts_with("culex.conf:4: 'topic' has a local prefix but no remote prefix"));
    EXPECT_TRUE(error_of("address h\ntopic a/#/b\n").starts_with("culex.conf:4: 'topic' pattern 'a/#/b'"));
    EXPECT_TRUE(
        error_of("address h\ntopic a out 0 L/# R/\n").starts_with("culex.conf:4: 'topic' local prefix"));
    EXPECT_TRUE(error_of("address h:99999\ntopic a\n").starts_with("culex.conf:3: "));
    EXPECT_TRUE(error_of("address ::1\ntopic a\n").find("[ADDRESS]:PORT") != std::string::npos);
    EXPECT_TRUE(
        error_of("address h\ntopic a\nbridge_protocol_version mqttv5\n")
            .starts_with("culex.conf:5: 'bridge_protocol_version' needs mqttv311 or mqttv31 or mqttv50"));
    EXPECT_TRUE(error_of("address h\ntopic a\nkeepalive_interval 2\n").starts_with("culex.conf:5: "));
    EXPECT_TRUE(error_of("address h\ntopic a\nrestart_timeout 10 5\n").find("the cap is below the base") !=
                std::string::npos);
    EXPECT_TRUE(error_of("topic a\n").starts_with("culex.conf:2: bridge 'cloud' has no address"));
    EXPECT_TRUE(error_of("address h\n").starts_with("culex.conf:2: bridge 'cloud' has no topic"));
    EXPECT_TRUE(error_of("address h\ntopic a\nremote_password p\n")
                    .starts_with("culex.conf:2: bridge 'cloud' has remote_password without remote_username"));
    EXPECT_TRUE(error_of("address h\ntopic a\nconnection cloud\n")
                    .starts_with("culex.conf:5: bridge 'cloud' is defined twice (first at culex.conf:2)"));
}

TEST(BridgeConfig, SeveralBridgesKeepTheirOwnOptions) {
    auto c = parse_config(
        "connection a\naddress h1\ntopic x out\nlistener 1883\nconnection b\naddress h2:1884\ntopic y in\n",
        "culex.conf");
    ASSERT_TRUE(c) << c.error().to_string();
    ASSERT_EQ(c->bridges.size(), 2u);
    EXPECT_EQ(c->bridges[0].addresses[0].host, "h1");
    EXPECT_EQ(c->bridges[1].addresses[0].port, 1884);
    EXPECT_EQ(c->bridges[1].topics[0].pattern, "y");
    EXPECT_EQ(c->listeners.size(), 1u);
}

TEST(BridgeConfig, TlsOptionsAreRead) {
    auto c = parse(R"(address h:8883
topic # out
bridge_cafile /etc/ca.crt
bridge_capath /etc/certs
bridge_certfile /etc/site.crt
bridge_keyfile /etc/site.key
bridge_insecure true
bridge_tls_version tlsv1.3
bridge_ciphers ECDHE-RSA-AES256-GCM-SHA384
bridge_ciphers_tls1.3 TLS_AES_256_GCM_SHA384
bridge_alpn mqtt
)");
    ASSERT_TRUE(c) << c.error().to_string();
    const BridgeTls& tls = c->bridges[0].tls;
    EXPECT_TRUE(tls.enabled());
    EXPECT_EQ(tls.cafile, "/etc/ca.crt");
    EXPECT_EQ(tls.capath, "/etc/certs");
    EXPECT_EQ(tls.certfile, "/etc/site.crt");
    EXPECT_EQ(tls.keyfile, "/etc/site.key");
    EXPECT_TRUE(tls.insecure);
    EXPECT_EQ(tls.min_version, TlsVersion::tls1_3);
    EXPECT_EQ(tls.ciphers, "ECDHE-RSA-AES256-GCM-SHA384");
    EXPECT_EQ(tls.ciphers_tls13, "TLS_AES_256_GCM_SHA384");
    EXPECT_EQ(tls.alpn, "mqtt");
    EXPECT_FALSE(parse("address h\ntopic #\n")->bridges[0].tls.enabled());
}

// Without a CA the bridge has no TLS: a TLS option there would be silently ignored and the link go in clear.
TEST(BridgeConfig, TlsOptionsWithoutCaAreRefused) {
    EXPECT_TRUE(error_of("address h\ntopic #\nbridge_insecure true\n")
                    .starts_with("culex.conf:2: bridge 'cloud' has TLS options but neither bridge_cafile nor "
                                 "bridge_capath"));
    EXPECT_TRUE(error_of("address h\ntopic #\nbridge_cafile ca.crt\nbridge_certfile c.crt\n")
                    .starts_with("culex.conf:2: bridge 'cloud' has bridge_certfile without bridge_keyfile"));
    EXPECT_TRUE(error_of("address h\ntopic #\nbridge_tls_version tlsv1.4\n").find("tlsv1.3") !=
                std::string::npos);
    EXPECT_TRUE(error_of("address h\ntopic #\nbridge_psk 00ff\n").find("TLS-PSK") != std::string::npos);
}

TEST(BridgeConfig, LazyStartReadsThresholdAndIdleTimeout) {
    auto c = parse("address h\ntopic #\nstart_type lazy\nthreshold 3\nidle_timeout 7\n");
    ASSERT_TRUE(c) << c.error().to_string();
    const BridgeConfig& b = c->bridges[0];
    EXPECT_TRUE(b.lazy());
    EXPECT_EQ(b.lazy_threshold(), 3u);
    EXPECT_EQ(b.lazy_idle_seconds(), 7u);
    EXPECT_TRUE(c->warnings.empty());
    auto defaults = parse("address h\ntopic #\nstart_type lazy\n");
    EXPECT_EQ(defaults->bridges[0].lazy_threshold(), 10u);  // Mosquitto's defaults
    EXPECT_EQ(defaults->bridges[0].lazy_idle_seconds(), 60u);
    EXPECT_TRUE(error_of("address h\ntopic #\nthreshold 0\n").find("threshold") != std::string::npos);
}

// threshold on a bridge that is not lazy changes nothing: said, not silently ignored.
TEST(BridgeConfig, ThresholdWithoutLazyWarns) {
    auto c = parse("address h\ntopic #\nthreshold 3\n");
    ASSERT_TRUE(c) << c.error().to_string();
    ASSERT_EQ(c->warnings.size(), 1u);
    EXPECT_NE(c->warnings[0].to_string().find("is not 'start_type lazy'"), std::string::npos);
}

// local_username/local_password: the bridge's user on this broker (its line kept for the start-up check);
// bridge_bind_address: an IP address, not a name.
TEST(BridgeConfig, LocalLoginAndBindAddressAreRead) {
    auto c = parse(
        "address h\ntopic #\nlocal_username site\nlocal_password s3cret\nbridge_bind_address "
        "127.0.0.2\n");
    ASSERT_TRUE(c) << c.error().to_string();
    const BridgeConfig& b = c->bridges[0];
    EXPECT_EQ(b.local_username, "site");
    EXPECT_EQ(b.local_password, "s3cret");
    EXPECT_EQ(b.local_login_line, 5);
    EXPECT_EQ(b.bind_address, "127.0.0.2");
    EXPECT_EQ(parse("address h\ntopic #\nbridge_bind_address ::1\n")->bridges[0].bind_address, "::1");
    EXPECT_TRUE(error_of("address h\ntopic #\nlocal_password p\n")
                    .starts_with("culex.conf:2: bridge 'cloud' has local_password without local_username"));
    EXPECT_NE(error_of("address h\ntopic #\nbridge_bind_address eth0\n").find("is not an IP address"),
              std::string::npos);
}

}  // namespace
}  // namespace culex::config
