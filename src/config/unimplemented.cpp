#include "config/unimplemented.hpp"

#include <array>

namespace culex::config {

namespace {

// What a refused option's user should do instead.
constexpr std::string_view kNoPlugins =
    "culex loads no Mosquitto plugins, and starting without one that decides who may connect or what they "
    "may "
    "access would let clients in that the plugin keeps out; use password_file and acl_file (culex passwd "
    "writes the password file)";
constexpr std::string_view kNoPsk =
    "culex does not implement TLS-PSK; give the listener a certificate instead (culex pki makes a CA, the "
    "server's and each client's certificate)";
constexpr std::string_view kNoEngine =
    "OpenSSL 3 deprecates engines and culex does not load them; use a PEM keyfile (keyfile_password for an "
    "encrypted one)";
constexpr std::string_view kNoHttpDir =
    "culex serves no files on a websockets listener; serve them with a web server, or remove the line";

constexpr auto kOptions = std::to_array<UnimplementedOption>({
    // General
    {"allow_duplicate_messages", "duplicate-message control"},
    {"auth_opt_*", "plugins"},
    {"auth_plugin", "plugins", kNoPlugins},
    {"auth_plugin_deny_special_chars", "plugins"},
    {"global_plugin", "plugins", kNoPlugins},
    {"plugin", "plugins", kNoPlugins},
    {"plugin_opt_*", "plugins"},
    {"psk_file", "TLS-PSK", kNoPsk},
    // Listeners
    {"http_dir", "serving files over HTTP on a websockets listener", kNoHttpDir},
    {"psk_hint", "TLS-PSK", kNoPsk},
    {"tls_engine", "TLS engines", kNoEngine},
    {"tls_engine_kpass_sha1", "TLS engines", kNoEngine},
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
