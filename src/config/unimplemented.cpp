#include "config/unimplemented.hpp"

#include <array>

namespace culex::config {

namespace {

constexpr auto kOptions = std::to_array<UnimplementedOption>({
    // General
    {"allow_duplicate_messages", "duplicate-message control"},
    {"auth_opt_*", "plugins"},
    {"auth_plugin", "plugins"},
    {"auth_plugin_deny_special_chars", "plugins"},
    {"check_retain_source", "retained-message ACL checks"},
    {"clientid_prefixes", "client id prefixes"},
    {"global_plugin", "plugins"},
    {"log_facility", "syslog logging"},
    {"max_inflight_bytes", "byte-based in-flight limits"},
    {"pid_file", "pid files"},
    {"plugin", "plugins"},
    {"plugin_opt_*", "plugins"},
    {"psk_file", "TLS-PSK"},
    {"sys_interval", "the $SYS interval setting"},
    {"user", "dropping privileges"},
    // Listeners
    {"dhparamfile", "DH parameter files"},
    {"http_dir", "websockets HTTP serving"},
    {"max_qos", "per-listener QoS limits"},
    {"max_topic_alias", "topic alias limits"},
    {"psk_hint", "TLS-PSK"},
    {"tls_engine", "TLS engines"},
    {"tls_engine_kpass_sha1", "TLS engines"},
    {"use_username_as_clientid", "username as client id"},
    {"websockets_headers_size", "websockets tuning"},
    {"websockets_log_level", "websockets logging"},
    // Bridges
    {"address", kBridgeArea},
    {"addresses", kBridgeArea},
    {"bridge_alpn", kBridgeArea},
    {"bridge_attempt_unsubscribe", kBridgeArea},
    {"bridge_bind_address", kBridgeArea},
    {"bridge_cafile", kBridgeArea},
    {"bridge_capath", kBridgeArea},
    {"bridge_certfile", kBridgeArea},
    {"bridge_ciphers", kBridgeArea},
    {"bridge_ciphers_tls1.3", kBridgeArea},
    {"bridge_identity", kBridgeArea},
    {"bridge_insecure", kBridgeArea},
    {"bridge_keyfile", kBridgeArea},
    {"bridge_max_packet_size", kBridgeArea},
    {"bridge_outgoing_retain", kBridgeArea},
    {"bridge_protocol_version", kBridgeArea},
    {"bridge_psk", kBridgeArea},
    {"bridge_require_ocsp", kBridgeArea},
    {"bridge_tls_version", kBridgeArea},
    {"cleansession", kBridgeArea},
    {"clientid", kBridgeArea},
    {"connection", kBridgeArea},
    {"idle_timeout", kBridgeArea},
    {"keepalive_interval", kBridgeArea},
    {"local_cleansession", kBridgeArea},
    {"local_clientid", kBridgeArea},
    {"local_password", kBridgeArea},
    {"local_username", kBridgeArea},
    {"notification_topic", kBridgeArea},
    {"notifications", kBridgeArea},
    {"notifications_local_only", kBridgeArea},
    {"password", kBridgeArea},
    {"remote_clientid", kBridgeArea},
    {"remote_password", kBridgeArea},
    {"remote_username", kBridgeArea},
    {"restart_timeout", kBridgeArea},
    {"round_robin", kBridgeArea},
    {"start_type", kBridgeArea},
    {"threshold", kBridgeArea},
    {"topic", kBridgeArea},
    {"try_private", kBridgeArea},
    {"username", kBridgeArea},
    // Deprecated spellings Mosquitto 2.0 still reads
    {"maximum_qos", "per-listener QoS limits"},
    {"retry_interval", "retry intervals (gone since Mosquitto 1.6)"},
    {"store_clean_interval", "store cleaning intervals (gone since Mosquitto 1.6)"},
});

}  // namespace

std::span<const UnimplementedOption> unimplemented_options() {
    return kOptions;
}

const UnimplementedOption* find_unimplemented(std::string_view option) {
    for (const auto& entry : kOptions) {
        if (entry.name.ends_with('*')) {
            const auto prefix = entry.name.substr(0, entry.name.size() - 1);
            if (option.size() > prefix.size() && option.starts_with(prefix)) return &entry;
        } else if (entry.name == option) {
            return &entry;
        }
    }
    return nullptr;
}

}  // namespace culex::config
