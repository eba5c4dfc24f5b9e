// The handler of each mosquitto.conf option, by family; option_table.cpp says which option calls which.
// Templates set one field of a listener's TLS or of the security settings.
#pragma once

#include "config/parser.hpp"

namespace culex::config::parsing {

// Listeners and sockets (listener_options.cpp)
Result on_listener(Parser& p, const Line& l);
Result on_port(Parser& p, const Line& l);
Result on_bind_address(Parser& p, const Line& l);
Result on_bind_interface(Parser& p, const Line& l);
Result on_socket_domain(Parser& p, const Line& l);
Result on_protocol(Parser& p, const Line& l);
Result on_max_connections(Parser& p, const Line& l);
Result on_mount_point(Parser& p, const Line& l);

// TLS, per listener (tls_options.cpp)
template <std::string TlsSettings::*Field>
Result on_tls_text(Parser& p, const Line& l) {
    return set_text(l, p.listener_target().listener.tls.*Field);
}

template <bool TlsSettings::*Field>
Result on_tls_bool(Parser& p, const Line& l) {
    return set_bool(l, p.listener_target().listener.tls.*Field);
}

// tls_version's and bridge_tls_version's words: tlsv1.3, tlsv1.2, tlsv1.1.
std::expected<TlsVersion, std::string> tls_version_value(const Line& l);
Result on_tls_version(Parser& p, const Line& l);
Result on_tls_keyform(Parser& p, const Line& l);

// Security (security_options.cpp)
Result on_allow_anonymous(Parser& p, const Line& l);

template <std::string SecuritySettings::*Field>
Result on_security_text(Parser& p, const Line& l) {
    std::optional<bool>* anonymous = nullptr;
    return set_text(l, p.security_target(anonymous, l.option).*Field);
}

Result on_allow_zero_length_clientid(Parser& p, const Line& l);
Result on_per_listener_settings(Parser& p, const Line& l);

// Limits (limit_options.cpp)
Result on_max_packet_size(Parser& p, const Line& l);

// Sessions and persistence (persistence_options.cpp)
Result on_persistent_client_expiration(Parser& p, const Line& l);
Result on_autosave_interval(Parser& p, const Line& l);
Result on_persistence_sync(Parser& p, const Line& l);
Result on_autosave_on_changes(Parser& p, const Line& l);
Result on_allow_duplicate_messages(Parser& p, const Line& l);

// Cluster mode (cluster_options.cpp); check_cluster once the whole file is read.
Result on_cluster_nats(Parser& p, const Line& l);
Result on_cluster_node(Parser& p, const Line& l);
Result on_cluster_replicas(Parser& p, const Line& l);
Result on_cluster_stream_max_age(Parser& p, const Line& l);
Result on_cluster_stream_max_bytes(Parser& p, const Line& l);
std::expected<void, ConfigError> check_cluster(const Config& config);
// Where a cluster option was first seen: an error about the block names it unless cluster_nats was given.
void note_cluster_line(Parser& p);

template <std::string ClusterSettings::*Field>
Result on_cluster_text(Parser& p, const Line& l) {
    note_cluster_line(p);
    return set_text(l, p.config.cluster.*Field);
}

// Logging (log_options.cpp)
Result on_log_dest(Parser& p, const Line& l);
Result on_log_type(Parser& p, const Line& l);
Result on_log_facility(Parser& p, const Line& l);
Result on_log_format(Parser& p, const Line& l);

// Bridges (bridge_options.cpp): their handlers join `specs`; the defaults that depend on the whole block
// (remote and local client ids, notification topic) are filled in once the file is read.
void add_bridge_options(std::vector<OptionSpec>& specs);
std::expected<void, ConfigError> resolve_bridges(Config& config);

}  // namespace culex::config::parsing
