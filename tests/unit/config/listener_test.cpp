// Which listener an option lands on: the most recent `listener` line, Mosquitto's default listener,
// local-only mode, and per_listener_settings.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "parse_text.hpp"

namespace culex::config {
namespace {

using text_parsing::parse_ok;

TEST(ListenerScope, OptionsApplyToTheMostRecentListener) {
    const Config c = parse_ok(R"(
listener 1883
max_connections 10
mount_point plain/

listener 8883 127.0.0.1
certfile /pki/server.crt
keyfile /pki/server.key
require_certificate true
socket_domain ipv4

listener 9001
protocol websockets
)");
    ASSERT_EQ(c.listeners.size(), 3u);
    const auto& plain = c.listeners[0];
    const auto& tls = c.listeners[1];
    const auto& ws = c.listeners[2];

    EXPECT_EQ(plain.port, 1883);
    EXPECT_EQ(plain.max_connections, 10u);
    EXPECT_EQ(plain.mount_point, "plain/");
    EXPECT_FALSE(plain.tls.enabled());
    EXPECT_EQ(plain.source_line, 2);

    EXPECT_EQ(tls.port, 8883);
    EXPECT_EQ(tls.bind_address, "127.0.0.1");
    EXPECT_TRUE(tls.tls.enabled());
    EXPECT_TRUE(tls.tls.require_certificate);
    EXPECT_EQ(tls.socket_domain, SocketDomain::ipv4);
    EXPECT_EQ(tls.max_connections, std::nullopt);
    EXPECT_TRUE(tls.mount_point.empty());

    EXPECT_EQ(ws.protocol, ListenerProtocol::websockets);
    EXPECT_FALSE(ws.tls.enabled());
    EXPECT_EQ(ws.socket_domain, SocketDomain::any);

    EXPECT_FALSE(c.local_only);
    for (const auto& l : c.listeners)
        EXPECT_FALSE(l.is_default);
}

TEST(ListenerScope, MaxConnectionsBeforeAnyListenerIsGlobal) {
    const Config c = parse_ok("max_connections 500\nlistener 1883\nmax_connections 10\n");
    EXPECT_EQ(c.max_connections, 500u);
    ASSERT_EQ(c.listeners.size(), 1u);
    EXPECT_EQ(c.listeners[0].max_connections, 10u);
}

TEST(ListenerScope, GlobalSecurityReachesEveryListener) {
    const Config c = parse_ok("listener 1883\nlistener 1884\nallow_anonymous true\npassword_file /etc/pw\n");
    ASSERT_EQ(c.listeners.size(), 2u);
    for (const auto& l : c.listeners) {
        EXPECT_TRUE(l.security.allow_anonymous);
        EXPECT_EQ(l.security.password_file, "/etc/pw");
    }
}

TEST(ListenerScope, PerListenerSettingsScopeSecurity) {
    const Config c = parse_ok(R"(per_listener_settings true
listener 1883 127.0.0.1
allow_anonymous true
listener 8883
password_file /etc/culex/passwd
acl_file /etc/culex/acl
auto_id_prefix tls-
allow_zero_length_clientid false
)");
    EXPECT_TRUE(c.per_listener_settings);
    ASSERT_EQ(c.listeners.size(), 2u);
    const auto& local = c.listeners[0].security;
    const auto& remote = c.listeners[1].security;
    EXPECT_TRUE(local.allow_anonymous);
    EXPECT_TRUE(local.password_file.empty());
    EXPECT_EQ(local.auto_id_prefix, "auto-");
    EXPECT_TRUE(local.allow_zero_length_clientid);
    EXPECT_FALSE(remote.allow_anonymous);  // unset per listener: Mosquitto 2's default, false
    EXPECT_EQ(remote.password_file, "/etc/culex/passwd");
    EXPECT_EQ(remote.acl_file, "/etc/culex/acl");
    EXPECT_EQ(remote.auto_id_prefix, "tls-");
    EXPECT_FALSE(remote.allow_zero_length_clientid);
}

TEST(ListenerScope, NoListenerMeansLocalOnly) {
    const Config c = parse_ok("log_type all\n");
    EXPECT_TRUE(c.local_only);
    EXPECT_TRUE(c.security.allow_anonymous);
    ASSERT_EQ(c.listeners.size(), 2u);
    EXPECT_EQ(c.listeners[0].bind_address, "127.0.0.1");
    EXPECT_EQ(c.listeners[0].socket_domain, SocketDomain::ipv4);
    EXPECT_EQ(c.listeners[1].bind_address, "::1");
    EXPECT_EQ(c.listeners[1].socket_domain, SocketDomain::ipv6);
    for (const auto& l : c.listeners) {
        EXPECT_EQ(l.port, 1883);
        EXPECT_TRUE(l.security.allow_anonymous);
        EXPECT_FALSE(l.tls.enabled());
    }
}

TEST(ListenerScope, LocalOnlyRespectsAnExplicitNo) {
    const Config c = parse_ok("allow_anonymous false\n");
    EXPECT_TRUE(c.local_only);
    EXPECT_FALSE(c.security.allow_anonymous);
    EXPECT_FALSE(c.listeners[0].security.allow_anonymous);
}

TEST(ListenerScope, DefaultConfigIsLocalOnly) {
    const Config c = default_config();
    EXPECT_TRUE(c.local_only);
    EXPECT_TRUE(c.warnings.empty());
    ASSERT_EQ(c.listeners.size(), 2u);
    EXPECT_EQ(c.listeners[0].bind_address, "127.0.0.1");
    EXPECT_EQ(c.listeners[1].bind_address, "::1");
    for (const auto& l : c.listeners) {
        EXPECT_EQ(l.port, 1883);
        EXPECT_TRUE(l.security.allow_anonymous);
    }
    const Config other_port = default_config(18830);
    for (const auto& l : other_port.listeners)
        EXPECT_EQ(l.port, 18830);
    // The text stands for the same thing.
    auto from_text = parse_config(default_config_text(), "default");
    ASSERT_TRUE(from_text);
    EXPECT_TRUE(from_text->local_only);
}

TEST(DefaultListener, PortAndBindAddress) {
    const Config c = parse_ok("port 1884\nbind_address 127.0.0.1\nmax_connections 3\n");
    EXPECT_FALSE(c.local_only);
    EXPECT_FALSE(c.security.allow_anonymous);
    ASSERT_EQ(c.listeners.size(), 1u);
    EXPECT_TRUE(c.listeners[0].is_default);
    EXPECT_EQ(c.listeners[0].port, 1884);
    EXPECT_EQ(c.listeners[0].bind_address, "127.0.0.1");
    EXPECT_EQ(c.listeners[0].source_line, 1);
    EXPECT_EQ(c.max_connections, 3u);
}

TEST(DefaultListener, OpensAfterTheOthersAndTakesEarlyListenerOptions) {
    const Config c = parse_ok("port 1884\ncertfile /a.crt\nkeyfile /a.key\nlistener 1885\n");
    ASSERT_EQ(c.listeners.size(), 2u);
    EXPECT_EQ(c.listeners[0].port, 1885);
    EXPECT_FALSE(c.listeners[0].tls.enabled());
    EXPECT_EQ(c.listeners[1].port, 1884);
    EXPECT_TRUE(c.listeners[1].is_default);
    EXPECT_EQ(c.listeners[1].tls.certfile, "/a.crt");
    EXPECT_TRUE(c.warnings.empty());
}

TEST(DefaultListener, ListenerOptionBeforeFirstListenerWarns) {
    // As in Mosquitto this makes a second listener on 1883; almost always a misplaced line, so say so.
    const Config c = parse_ok("# tls\nsocket_domain ipv4\nlistener 8883\n");
    ASSERT_EQ(c.listeners.size(), 2u);
    EXPECT_TRUE(c.listeners[1].is_default);
    EXPECT_EQ(c.listeners[1].port, 1883);
    EXPECT_EQ(c.listeners[1].socket_domain, SocketDomain::ipv4);
    ASSERT_EQ(c.warnings.size(), 1u);
    EXPECT_EQ(
        c.warnings[0].to_string(),
        "culex.conf:2: this listener option comes before any 'listener' line, so (as in Mosquitto) it "
        "configures a separate default listener on port 1883; move it below the 'listener' line it is meant "
        "for");
}

TEST(DefaultListener, RepeatedPortWarnsLikeMosquitto) {
    const Config c = parse_ok("port 1884\nport 1885\n");
    ASSERT_EQ(c.listeners.size(), 1u);
    EXPECT_EQ(c.listeners[0].port, 1885);
    ASSERT_EQ(c.warnings.size(), 1u);
    EXPECT_EQ(c.warnings[0].to_string(),
              "culex.conf:2: Default listener port specified multiple times. Only the latest will be used.");
}

TEST(DefaultListener, PerListenerSecurityBeforeListenersGoesToTheDefaultListener) {
    const Config c = parse_ok("per_listener_settings true\nport 1884\nallow_anonymous true\nlistener 1885\n");
    ASSERT_EQ(c.listeners.size(), 2u);
    EXPECT_FALSE(c.listeners[0].security.allow_anonymous);
    EXPECT_TRUE(c.listeners[1].is_default);
    EXPECT_TRUE(c.listeners[1].security.allow_anonymous);
}

TEST(ListenerScope, TlsOptionsWithoutCertificateWarn) {
    const Config c = parse_ok("listener 8883\nlistener 1883\nrequire_certificate true\ncafile /pki/ca.crt\n");
    ASSERT_EQ(c.warnings.size(), 1u);
    EXPECT_EQ(
        c.warnings[0].to_string(),
        "culex.conf:2: listener 1883 sets cafile, require_certificate but has no certfile and keyfile, so it "
        "is not a TLS listener and they do nothing: add certfile and keyfile below it, or remove them");
}

TEST(ListenerScope, ClientRulesPerListenerAndClientIdPrefixesGlobal) {
    const Config c = parse_ok(R"(
clientid_prefixes ok-
listener 1883
max_qos 1
max_topic_alias 0
use_username_as_clientid true

listener 1884
maximum_qos 0
)");
    ASSERT_EQ(c.listeners.size(), 2u);
    EXPECT_EQ(c.clientid_prefixes, "ok-");
    EXPECT_EQ(c.listeners[0].max_qos, 1);
    EXPECT_EQ(c.listeners[0].max_topic_alias, 0);
    EXPECT_TRUE(c.listeners[0].use_username_as_clientid);
    EXPECT_EQ(c.listeners[1].max_qos, 0);  // the older spelling
    EXPECT_EQ(c.listeners[1].max_topic_alias, 10);
    EXPECT_FALSE(c.listeners[1].use_username_as_clientid);
    EXPECT_TRUE(c.warnings.empty()) << "none of these is ignored any more";
}

TEST(ListenerScope, MaxQosAboveTwoIsAnError) {
    auto parsed = parse_config("listener 1883\nmax_qos 3\n", "culex.conf");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().to_string(), "culex.conf:2: 'max_qos' needs a number between 0 and 2, got '3'");
}

}  // namespace
}  // namespace culex::config
