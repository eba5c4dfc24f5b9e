// What is decided once the whole file is read: the default listener, local-only mode, per-listener security
// and log types; then the checks of the result as a whole (certfile with keyfile, no listener twice).
#include "config/option_handlers.hpp"
#include "config/parser.hpp"

namespace culex::config::parsing {

namespace {

std::string describe(const Listener& listener) {
    if (!listener.unix_socket_path.empty()) return fmt::format("listener 0 {}", listener.unix_socket_path);
    if (listener.is_default) return fmt::format("the default listener (port {})", listener.port);
    if (listener.bind_address.empty()) return fmt::format("listener {}", listener.port);
    return fmt::format("listener {} {}", listener.port, listener.bind_address);
}

}  // namespace

std::expected<void, ConfigError> Parser::validate() const {
    const auto& all = config.listeners;
    for (std::size_t i = 0; i < all.size(); ++i) {
        const Listener& l = all[i];
        const auto at = [&](std::string message) {
            return std::unexpected(ConfigError{l.source_file, l.source_line, std::move(message)});
        };
        if (!l.tls.certfile.empty() && l.tls.keyfile.empty()) {
            return at(
                fmt::format("{} has a certfile but no keyfile: add 'keyfile PATH' below it (TLS needs both)",
                            describe(l)));
        }
        if (l.tls.certfile.empty() && !l.tls.keyfile.empty()) {
            return at(
                fmt::format("{} has a keyfile but no certfile: add 'certfile PATH' below it (TLS needs both)",
                            describe(l)));
        }
        // `listener 0 IP` asks for an ephemeral port (culex's own): any number of those may share an address.
        const bool ephemeral =
            l.port == 0 && !l.unix_socket_path.empty() && l.unix_socket_path.find('/') == std::string::npos;
        for (std::size_t j = 0; j < i && !ephemeral; ++j) {
            const Listener& other = all[j];
            const bool same = l.unix_socket_path.empty()
                                  ? l.port == other.port && l.bind_address == other.bind_address &&
                                        other.unix_socket_path.empty()
                                  : l.unix_socket_path == other.unix_socket_path;
            if (same) {
                return at(
                    fmt::format("{} is defined twice (also at {}:{}): give each listener its own port or "
                                "address, or remove one",
                                describe(l), other.source_file, other.source_line));
            }
        }
    }
    return {};
}

// TLS options on a listener without certfile/keyfile do nothing: the listener speaks plain MQTT. Likely the
// certfile line went to another listener, so say which options are idle.
void Parser::warn_tls_without_certificate() {
    for (const auto& l : config.listeners) {
        if (l.tls.enabled()) continue;
        std::vector<std::string_view> idle;
        if (!l.tls.cafile.empty()) idle.push_back("cafile");
        if (!l.tls.capath.empty()) idle.push_back("capath");
        if (!l.tls.crlfile.empty()) idle.push_back("crlfile");
        if (!l.tls.ciphers.empty()) idle.push_back("ciphers");
        if (!l.tls.ciphers_tls13.empty()) idle.push_back("ciphers_tls1.3");
        if (!l.tls.keyfile_password.empty()) idle.push_back("keyfile_password");
        if (l.tls.min_version) idle.push_back("tls_version");
        if (l.tls.require_certificate) idle.push_back("require_certificate");
        if (l.tls.use_identity_as_username) idle.push_back("use_identity_as_username");
        if (l.tls.use_subject_as_username) idle.push_back("use_subject_as_username");
        if (idle.empty()) continue;
        config.warnings.push_back(
            {l.source_file, l.source_line,
             fmt::format(
                 "{} sets {} but has no certfile and keyfile, so it is not a TLS listener and they do "
                 "nothing: add certfile and keyfile below it, or remove them",
                 describe(l), fmt::join(idle, ", "))});
    }
}

std::expected<Config, ConfigError> Parser::finish(const std::string& main_file) {
    if (orphan_security_at && !default_used) return std::unexpected(*orphan_security_at);

    if (default_used) {
        default_listener.listener.is_default = true;
        if (!default_explicit && !listeners.empty()) {
            config.warnings.push_back({default_implicit_at.file, default_implicit_at.line,
                                       "this listener option comes before any 'listener' line, so (as in "
                                       "Mosquitto) it configures a "
                                       "separate default listener on port 1883; move it below the 'listener' "
                                       "line it is meant for"});
        }
        // Mosquitto opens the default listener after the others.
        listeners.push_back(std::move(default_listener));
    }

    config.local_only = listeners.empty();
    config.security.allow_anonymous = global_anonymous.value_or(config.local_only);
    if (config.local_only) {
        for (const auto& [address, domain] :
             {std::pair{"127.0.0.1", SocketDomain::ipv4}, std::pair{"::1", SocketDomain::ipv6}}) {
            ListenerDraft local;
            local.listener.bind_address = address;
            local.listener.socket_domain = domain;
            local.listener.source_file = main_file;
            listeners.push_back(std::move(local));
        }
    }
    for (auto& draft : listeners) {
        if (config.per_listener_settings && !config.local_only) {
            draft.listener.security.allow_anonymous = draft.allow_anonymous.value_or(false);
        } else {
            draft.listener.security = config.security;
        }
        config.listeners.push_back(std::move(draft.listener));
    }

    if (log_type_set) config.log.types = log_types;
    if (auto ok = resolve_bridges(config); !ok) return std::unexpected(ok.error());
    if (auto ok = validate(); !ok) return std::unexpected(ok.error());
    if (auto ok = check_cluster(config); !ok) return std::unexpected(ok.error());
    warn_tls_without_certificate();
    return std::move(config);
}

}  // namespace culex::config::parsing
