// mosquitto.conf, read into typed and validated values: load_config("culex.conf") or, in tests,
// parse_config(text, "culex.conf"). Syntax and meaning follow mosquitto.conf(5) (Mosquitto 2.0): one option
// per line, listener options apply to the most recent `listener` line, no listener at all means Mosquitto 2's
// local-only mode. Every error names file:line, the cause and the fix; options Mosquitto documents that culex
// does not implement yet are accepted with a warning in Config::warnings. docs/config.md lists every option.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/bridge_config.hpp"
#include "config/config_error.hpp"
#include "log/log_settings.hpp"

namespace culex::config {

// `http`: not MQTT: the listener serves GET /metrics (Prometheus) over HTTP, or HTTPS with its TLS options.
enum class ListenerProtocol { mqtt, websockets, http };

// `socket_domain`: which IP versions a listener opens. `any` (the default) opens both where available.
enum class SocketDomain { any, ipv4, ipv6 };

// `tls_version`: the oldest TLS version a listener accepts.
enum class TlsVersion { tls1_1, tls1_2, tls1_3 };

enum class KeyForm { pem, engine };

struct TlsSettings {
    std::string cafile;
    std::string capath;
    std::string certfile;
    std::string keyfile;
    std::string keyfile_password;  // culex's own: decrypts an encrypted keyfile
    std::string crlfile;
    std::string dhparamfile;                // DH parameters: TLS 1.2 DHE suites become possible
    std::string ciphers;                    // TLS 1.2 and older, OpenSSL cipher list
    std::string ciphers_tls13;              // `ciphers_tls1.3`
    std::optional<TlsVersion> min_version;  // unset: TLS 1.2 and 1.3, as in Mosquitto
    KeyForm keyform = KeyForm::pem;
    bool require_certificate = false;
    bool use_identity_as_username = false;
    bool use_subject_as_username = false;

    // certfile and keyfile together turn TLS on (the parser rejects one without the other).
    bool enabled() const { return !certfile.empty(); }
};

// Who may connect and what they may do. Global, or per listener with `per_listener_settings true`; either way
// every Listener carries the settings that apply to it in Listener::security.
struct SecuritySettings {
    bool allow_anonymous = false;  // Mosquitto 2: false, except in local-only mode
    std::string password_file;
    std::string acl_file;
    bool allow_zero_length_clientid = true;
    std::string auto_id_prefix = "auto-";
};

struct Listener {
    std::uint16_t port = 1883;
    std::string bind_address;      // empty: every address
    std::string unix_socket_path;  // `listener 0 PATH`: a Unix socket instead of TCP
    std::string bind_interface;    // SO_BINDTODEVICE
    SocketDomain socket_domain = SocketDomain::any;
    ListenerProtocol protocol = ListenerProtocol::mqtt;
    std::optional<std::uint32_t> max_connections;  // unset: no limit
    std::string mount_point;                       // topic prefix for this listener's clients
    std::uint8_t max_qos = 2;                      // the highest QoS its clients may publish or be granted
    std::uint16_t max_topic_alias = 10;            // topic aliases a client may set (MQTT 5); 0: none
    bool use_username_as_clientid = false;         // the user name replaces the client id (after login)
    TlsSettings tls;
    SecuritySettings security;  // the settings that apply to this listener (see SecuritySettings)

    // Where it was defined, for messages: the `listener` line, or for the default listener (`port`,
    // `bind_address`) the first line that configured it.
    std::string source_file;
    int source_line = 0;
    bool is_default = false;  // Mosquitto's "default listener": made by `port`/`bind_address`, not `listener`
};

struct PersistenceSettings {
    bool enabled = false;
    std::string location;               // directory; empty: the current directory
    std::string file = "mosquitto.db";  // name inside `location`
    std::chrono::seconds autosave_interval{1800};
    // persistence_sync (culex's own): false ("os"): a commit is written to the OS, and survives the broker
    // being killed; true ("fsync"): it is fsynced too, and survives power loss.
    bool fsync = false;

    // location/file, or just file when no location is set.
    std::string path() const;
};

// culex's own: cluster mode on NATS (docs/cluster.md). Off while `nats_urls` is empty.
struct ClusterSettings {
    std::vector<std::string> nats_urls;  // cluster_nats, split at commas
    std::string node;                    // cluster_node: this node's name, unique among live nodes
    std::string cafile;                  // cluster_nats_cafile: trust for the NATS servers' certificates
    std::string certfile;                // cluster_nats_certfile and _keyfile: this node's TLS identity
    std::string keyfile;
    std::string creds;  // cluster_nats_creds: a NATS credentials file (JWT and NKey seed)
    // cluster_replicas: the copies JetStream keeps of the cluster's streams and durable buckets; 0 (unset):
    // 3 where the NATS cluster has 3 servers or more, else 1.
    int replicas = 0;
    // cluster_stream_max_age and cluster_stream_max_bytes: the bounds of CULEX_MESSAGES, the QoS 1/2
    // messages persistent sessions could want; past either, the oldest go first. Unset: 24 h and 1 GiB when
    // this node creates the stream, and whatever it has when it exists (a node with the options set changes
    // the cluster's stream; one without leaves it).
    std::optional<std::chrono::seconds> stream_max_age;
    std::optional<std::int64_t> stream_max_bytes;
    std::string source_file;  // where cluster_nats was set, for errors found once the whole file is read
    int source_line = 0;

    bool enabled() const { return !nats_urls.empty(); }
    bool operator==(const ClusterSettings&) const = default;
};

struct Config {
    std::vector<Listener> listeners;
    // No listener configured: Mosquitto 2's local-only mode, `listeners` holds 127.0.0.1 and ::1 on 1883, and
    // anonymous clients are allowed (only local programs can connect).
    bool local_only = false;
    bool per_listener_settings = false;
    SecuritySettings security;  // the global settings (what listeners get without per_listener_settings)

    std::optional<std::uint32_t>
        max_connections;  // all listeners together; `max_connections` before any listener
    std::uint16_t max_inflight_messages = 20;      // 0: no limit
    std::uint64_t max_inflight_bytes = 0;          // 0: no limit
    bool check_retain_source = true;               // the ACL asked again for a retained message's publisher
    std::uint32_t websockets_headers_size = 0;     // a WebSocket upgrade's headers; 0: culex's default
    std::uint32_t max_queued_messages = 1000;      // 0: no limit
    std::uint64_t max_queued_bytes = 0;            // 0: no limit
    bool queue_qos0_messages = false;              // QoS 0 queued for offline persistent sessions too
    std::uint32_t message_size_limit = 0;          // PUBLISH payload bytes; 0: no limit
    std::uint64_t memory_limit = 0;                // heap bytes; 0: no limit
    std::optional<std::uint32_t> max_packet_size;  // whole packet; unset: no limit beyond MQTT's own
    std::uint16_t max_keepalive = 65535;
    std::optional<std::chrono::seconds> persistent_client_expiration;  // unset: never expire
    bool retain_available = true;
    std::string clientid_prefixes;  // non-empty: only client ids starting with it may connect
    bool upgrade_outgoing_qos = false;
    bool set_tcp_nodelay = false;
    PersistenceSettings persistence;
    ClusterSettings cluster;

    log::LogSettings
        log;  // log_dest, log_type, log_timestamp, log_timestamp_format, log_facility, log_format
    bool log_to_topic = false;  // `log_dest topic` (log/topic_sink.hpp): the CLI turns it on

    unsigned threads = 0;             // culex's own: event loops; 0 = one per core
    std::uint32_t sys_interval = 10;  // seconds between $SYS/broker/... updates; 0: no $SYS

    // Running as a service (src/service). `pid_file`: written once the listeners are bound, removed on a
    // clean exit; empty: none. `user`: the user to become when started as root, after binding the listeners
    // and reading keys and password files; unset: culex stays the user it was started as
    // (docs/operations.md).
    std::string pid_file;
    std::optional<std::string> user;

    // culex's own: failed logins from one address slow its next attempts down (see auth::LoginThrottle).
    struct LoginThrottle {
        bool enabled = true;
        unsigned free_failures = 3;       // failures that cost nothing (typos)
        unsigned max_delay_seconds = 60;  // the longest wait imposed on an attempt
    } login_throttle;

    // culex's own: a new connection must finish its TLS/WebSocket handshake and send CONNECT within this.
    unsigned connect_timeout_seconds = 10;
    // culex's own: before login, the largest CONNECT a connection may announce, and the input that every
    // connection not yet logged in may hold together (see docs/security.md).
    std::uint32_t max_connect_size = 1u << 20;
    std::uint64_t preauth_memory_budget = 64u << 20;
    // culex's own: the output a client's socket has not taken that the broker holds for it; past it, QoS 0
    // deliveries to that client are dropped and its input waits (see docs/security.md).
    std::uint64_t output_buffer_limit = 4u << 20;
    // culex's own: the subscriptions one client's session may hold; 0 = no limit (see docs/security.md).
    std::uint32_t max_subscriptions_per_client = 10'000;
    // culex's own: offer the "culex-test-challenge" MQTT 5 AUTH method, which tests the AUTH exchange and
    // gives no security.
    bool enhanced_auth_test = false;

    std::vector<BridgeConfig> bridges;  // `connection` blocks, in order (config/bridge_config.hpp)

    std::vector<std::string> files;  // every file read, the main one first, then included ones in order
    std::vector<ConfigWarning> warnings;
};

// Reads and validates a configuration file (and the files its include_dir lines name).
std::expected<Config, ConfigError> load_config(const std::string& path);

// Parses configuration text; `file_name` only labels messages. include_dir lines read real directories.
std::expected<Config, ConfigError> parse_config(std::string_view text, std::string_view file_name);

// The configuration used without -c: Mosquitto 2's local-only mode, listening on 127.0.0.1 and ::1 on `port`
// and allowing anonymous clients, which is safe only because nothing outside this machine can connect.
Config default_config(std::uint16_t port = 1883);

// The text that default_config() stands for, as a mosquitto.conf a user could start from.
std::string_view default_config_text();

}  // namespace culex::config
