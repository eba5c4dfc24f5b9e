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
constexpr std::string_view kNoBridgeOcsp =
    "culex's bridges do not check OCSP, and ignoring this line would accept a revoked certificate; remove "
    "it (the remote's certificate is still verified against bridge_cafile/bridge_capath)";
constexpr std::string_view kNoBridgePsk =
    "culex does not implement TLS-PSK; give the bridge bridge_cafile (and bridge_certfile/bridge_keyfile "
    "when the remote asks for a client certificate) instead";
constexpr std::string_view kNoHttpDir =
    "culex serves no files on a websockets listener; serve them with a web server, or remove the line";

constexpr auto kOptions = std::to_array<UnimplementedOption>({
    // General
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
    {"bridge_identity", kBridgeArea, kNoBridgePsk},
    {"bridge_psk", kBridgeArea, kNoBridgePsk},
    {"bridge_require_ocsp", kBridgeArea, kNoBridgeOcsp},
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
