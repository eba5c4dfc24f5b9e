// A bridge as mosquitto.conf(5) describes it: one `connection NAME` block and the bridge options after it,
// read into typed values (bridge_options.cpp). The broker's src/bridge runs them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace culex::config {

enum class BridgeDirection { out, in, both };

// `topic PATTERN [out|in|both [QOS [LOCAL_PREFIX REMOTE_PREFIX]]]`. An empty pattern or prefix is the ""
// placeholder of mosquitto.conf(5).
struct BridgeTopic {
    std::string pattern;
    BridgeDirection direction = BridgeDirection::out;
    std::uint8_t qos = 0;
    std::string local_prefix;
    std::string remote_prefix;

    bool operator==(const BridgeTopic&) const = default;
};

struct BridgeAddress {
    std::string host;
    std::uint16_t port = 1883;

    bool operator==(const BridgeAddress&) const = default;
};

enum class TlsVersion;  // config.hpp

// The bridge_* TLS options. TLS is on when bridge_cafile or bridge_capath is given, as in Mosquitto.
struct BridgeTls {
    std::string cafile;
    std::string capath;
    std::string certfile;
    std::string keyfile;
    bool insecure = false;                  // skip the host-name check (only that)
    std::optional<TlsVersion> min_version;  // bridge_tls_version; unset: TLS 1.2 and newer
    std::string ciphers;                    // TLS 1.2 and older, an OpenSSL cipher list
    std::string ciphers_tls13;              // bridge_ciphers_tls1.3
    std::string alpn;

    bool enabled() const { return !cafile.empty() || !capath.empty(); }
    bool operator==(const BridgeTls&) const = default;
};

enum class BridgeProtocol { mqttv31, mqttv311, mqttv50 };
enum class BridgeStartType { automatic, lazy, once };

struct BridgeConfig {
    std::string name;
    std::string source_file;  // the `connection` line, for messages
    int source_line = 0;

    std::vector<BridgeAddress> addresses;  // the first is the main one; the others are tried in turn
    bool round_robin = false;
    std::vector<BridgeTopic> topics;
    BridgeProtocol protocol = BridgeProtocol::mqttv311;
    bool clean_session = false;
    std::optional<bool> local_clean_session;  // unset: as clean_session
    std::string remote_clientid;              // resolved at the end of the file: HOSTNAME.NAME by default
    std::string local_clientid;               // resolved: "local." + remote_clientid by default
    std::optional<std::string> remote_username;
    std::optional<std::string> remote_password;
    // local_username/local_password: the bridge's identity on this broker, whose ACL then applies to what
    // it publishes and subscribes to locally (unset: the broker's own trusted client). The password is
    // checked against the password file at start. `local_login_line`: the line of local_username, for errors.
    std::optional<std::string> local_username;
    std::optional<std::string> local_password;
    int local_login_line = 0;
    // bridge_bind_address: the local address the connection to the remote is made from (empty: any).
    std::string bind_address;
    std::uint16_t keepalive_interval = 60;
    // restart_timeout: a constant delay (cap unset), or Decorrelated Jitter from base up to cap (the default,
    // 5 and 30 seconds, as Mosquitto).
    std::uint32_t restart_base_seconds = 5;
    std::optional<std::uint32_t> restart_cap_seconds = 30;
    bool try_private = true;
    bool notifications = true;
    std::string notification_topic;  // resolved: $SYS/broker/connection/REMOTE_CLIENTID/state by default
    bool notifications_local_only = false;
    bool outgoing_retain = true;
    bool attempt_unsubscribe = true;
    BridgeStartType start_type = BridgeStartType::automatic;
    // start_type lazy: connect once this many messages wait for the remote (Mosquitto's default 10), and
    // disconnect after idle_timeout seconds without traffic (default 60). Unset: not given.
    std::optional<std::uint32_t> threshold;
    std::optional<std::uint32_t> idle_timeout;
    // bridge_max_packet_size: what goes out bigger than this (bytes, whole packet) is dropped; 0: no limit
    // of ours (an MQTT 5 remote's Maximum Packet Size still applies).
    std::uint32_t max_packet_size = 0;
    BridgeTls tls;

    bool local_clean() const { return local_clean_session.value_or(clean_session); }
    bool lazy() const { return start_type == BridgeStartType::lazy; }
    std::uint32_t lazy_threshold() const { return threshold.value_or(10); }
    std::uint32_t lazy_idle_seconds() const { return idle_timeout.value_or(60); }
    bool operator==(const BridgeConfig&) const = default;
};

}  // namespace culex::config
