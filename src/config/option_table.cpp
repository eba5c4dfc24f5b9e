// Which mosquitto.conf option calls which handler, with how it is written (for messages). Options that set
// one field are handled here in place.
#include <limits>

#include "config/option_handlers.hpp"

namespace culex::config::parsing {

namespace {

Result on_include_dir_placeholder(Parser&, const Line&) {
    return {};
}  // handled by Parser::handle_line

}  // namespace

const std::unordered_map<std::string_view, OptionSpec>& option_table() {
    static const auto table = [] {
        std::vector<OptionSpec> specs = {
            // Listeners
            {"listener", "listener PORT [BIND_ADDRESS]", on_listener},
            {"port", "port PORT", on_port},
            {"bind_address", "bind_address ADDRESS", on_bind_address},
            {"bind_interface", "bind_interface DEVICE", on_bind_interface},
            {"socket_domain", "socket_domain ipv4|ipv6", on_socket_domain},
            {"protocol", "protocol mqtt|websockets", on_protocol},
            {"max_connections", "max_connections COUNT", on_max_connections},
            {"mount_point", "mount_point TOPIC_PREFIX", on_mount_point},
            {"max_qos", "max_qos 0|1|2",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.listener_target().listener.max_qos, 0, 2);
             }},
            {"maximum_qos", "maximum_qos 0|1|2",  // the older spelling Mosquitto 2.0 still reads
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.listener_target().listener.max_qos, 0, 2);
             }},
            {"max_topic_alias", "max_topic_alias COUNT",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.listener_target().listener.max_topic_alias, 0, 65535);
             }},
            {"use_username_as_clientid", "use_username_as_clientid true|false",
             [](Parser& p, const Line& l) {
                 return set_bool(l, p.listener_target().listener.use_username_as_clientid);
             }},
            // TLS, per listener
            {"cafile", "cafile PATH", on_tls_text<&TlsSettings::cafile>},
            {"capath", "capath DIRECTORY", on_tls_text<&TlsSettings::capath>},
            {"certfile", "certfile PATH", on_tls_text<&TlsSettings::certfile>},
            {"keyfile", "keyfile PATH", on_tls_text<&TlsSettings::keyfile>},
            {"keyfile_password", "keyfile_password PASSWORD", on_tls_text<&TlsSettings::keyfile_password>},
            {"crlfile", "crlfile PATH", on_tls_text<&TlsSettings::crlfile>},
            {"dhparamfile", "dhparamfile PATH", on_tls_text<&TlsSettings::dhparamfile>},
            {"ciphers", "ciphers CIPHER:LIST", on_tls_text<&TlsSettings::ciphers>},
            {"ciphers_tls1.3", "ciphers_tls1.3 SUITE:LIST", on_tls_text<&TlsSettings::ciphers_tls13>},
            {"require_certificate", "require_certificate true|false",
             on_tls_bool<&TlsSettings::require_certificate>},
            {"use_identity_as_username", "use_identity_as_username true|false",
             on_tls_bool<&TlsSettings::use_identity_as_username>},
            {"use_subject_as_username", "use_subject_as_username true|false",
             on_tls_bool<&TlsSettings::use_subject_as_username>},
            {"tls_version", "tls_version tlsv1.3|tlsv1.2|tlsv1.1", on_tls_version},
            {"tls_keyform", "tls_keyform pem|engine", on_tls_keyform},
            // Security
            {"allow_anonymous", "allow_anonymous true|false", on_allow_anonymous},
            {"password_file", "password_file PATH", on_security_text<&SecuritySettings::password_file>},
            {"acl_file", "acl_file PATH", on_security_text<&SecuritySettings::acl_file>},
            {"allow_zero_length_clientid", "allow_zero_length_clientid true|false",
             on_allow_zero_length_clientid},
            {"auto_id_prefix", "auto_id_prefix PREFIX", on_security_text<&SecuritySettings::auto_id_prefix>},
            {"per_listener_settings", "per_listener_settings true|false", on_per_listener_settings},
            // Limits and behaviour
            {"max_inflight_messages", "max_inflight_messages COUNT",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.max_inflight_messages, 0, 65535);
             }},
            {"max_inflight_bytes", "max_inflight_bytes BYTES",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.max_inflight_bytes, 0,
                                    std::numeric_limits<std::int64_t>::max());
             }},
            {"websockets_headers_size", "websockets_headers_size BYTES",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.websockets_headers_size, 0, 1 << 20);
             }},
            {"allow_duplicate_messages", "allow_duplicate_messages true|false", on_allow_duplicate_messages},
            {"check_retain_source", "check_retain_source true|false",
             [](Parser& p, const Line& l) { return set_bool(l, p.config.check_retain_source); }},
            {"queue_qos0_messages", "queue_qos0_messages true|false",
             [](Parser& p, const Line& l) { return set_bool(l, p.config.queue_qos0_messages); }},
            {"max_queued_messages", "max_queued_messages COUNT",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.max_queued_messages, 0, kIntMax);
             }},
            {"max_queued_bytes", "max_queued_bytes BYTES",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.max_queued_bytes, 0,
                                    std::numeric_limits<std::int64_t>::max());
             }},
            {"message_size_limit", "message_size_limit BYTES",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.message_size_limit, 0, 268'435'455);
             }},
            {"max_packet_size", "max_packet_size BYTES", on_max_packet_size},
            {"memory_limit", "memory_limit BYTES",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.memory_limit, 0, std::numeric_limits<std::int64_t>::max());
             }},
            {"max_keepalive", "max_keepalive SECONDS",
             [](Parser& p, const Line& l) { return set_integer(l, p.config.max_keepalive, 10, 65535); }},
            {"persistent_client_expiration", "persistent_client_expiration DURATION (e.g. 14d)",
             on_persistent_client_expiration},
            {"clientid_prefixes", "clientid_prefixes PREFIX",
             [](Parser& p, const Line& l) { return set_text(l, p.config.clientid_prefixes); }},
            {"sys_interval", "sys_interval SECONDS (0 = no $SYS)",
             [](Parser& p, const Line& l) { return set_integer(l, p.config.sys_interval, 0, 65535); }},
            {"retain_available", "retain_available true|false",
             [](Parser& p, const Line& l) { return set_bool(l, p.config.retain_available); }},
            {"upgrade_outgoing_qos", "upgrade_outgoing_qos true|false",
             [](Parser& p, const Line& l) { return set_bool(l, p.config.upgrade_outgoing_qos); }},
            {"set_tcp_nodelay", "set_tcp_nodelay true|false",
             [](Parser& p, const Line& l) { return set_bool(l, p.config.set_tcp_nodelay); }},
            // Persistence
            {"persistence", "persistence true|false",
             [](Parser& p, const Line& l) { return set_bool(l, p.config.persistence.enabled); }},
            {"persistence_sync", "persistence_sync os|fsync", on_persistence_sync},
            {"persistence_location", "persistence_location DIRECTORY",
             [](Parser& p, const Line& l) { return set_text(l, p.config.persistence.location); }},
            {"persistence_file", "persistence_file NAME",
             [](Parser& p, const Line& l) { return set_text(l, p.config.persistence.file); }},
            {"autosave_interval", "autosave_interval SECONDS", on_autosave_interval},
            {"autosave_on_changes", "autosave_on_changes COUNT", on_autosave_on_changes},
            // Cluster mode (culex's own)
            {"cluster_nats", "cluster_nats URL[,URL...]", on_cluster_nats},
            {"cluster_node", "cluster_node NAME", on_cluster_node},
            {"cluster_nats_cafile", "cluster_nats_cafile PATH", on_cluster_text<&ClusterSettings::cafile>},
            {"cluster_nats_certfile", "cluster_nats_certfile PATH",
             on_cluster_text<&ClusterSettings::certfile>},
            {"cluster_nats_keyfile", "cluster_nats_keyfile PATH", on_cluster_text<&ClusterSettings::keyfile>},
            {"cluster_nats_creds", "cluster_nats_creds PATH", on_cluster_text<&ClusterSettings::creds>},
            {"cluster_replicas", "cluster_replicas 1..5", on_cluster_replicas},
            {"cluster_stream_max_age", "cluster_stream_max_age DURATION (e.g. 24h, 7d)",
             on_cluster_stream_max_age},
            {"cluster_stream_max_bytes", "cluster_stream_max_bytes BYTES", on_cluster_stream_max_bytes},
            // Logging
            {"log_dest", "log_dest stdout|stderr|file PATH|syslog|none", on_log_dest},
            {"log_type", "log_type TYPE", on_log_type},
            {"log_facility", "log_facility 0..7", on_log_facility},
            {"log_timestamp", "log_timestamp true|false",
             [](Parser& p, const Line& l) { return set_bool(l, p.config.log.timestamp); }},
            {"log_timestamp_format", "log_timestamp_format STRFTIME_FORMAT",
             [](Parser& p, const Line& l) { return set_text(l, p.config.log.timestamp_format); }},
            {"connection_messages", "connection_messages true|false",
             [](Parser& p, const Line& l) { return set_bool(l, p.config.log.connection_messages); }},
            // Running as a service
            {"pid_file", "pid_file PATH",
             [](Parser& p, const Line& l) { return set_text(l, p.config.pid_file); }},
            {"user", "user NAME",
             [](Parser& p, const Line& l) {
                 auto word = word_value(l);
                 if (!word) return Result(std::unexpected(word.error()));
                 p.config.user = std::string(*word);
                 return Result();
             }},
            // Files
            {"include_dir", "include_dir DIRECTORY", on_include_dir_placeholder},
            // culex's own
            {"threads", "threads COUNT (0 = one per core)",
             [](Parser& p, const Line& l) { return set_integer(l, p.config.threads, 0, 1024); }},
            {"login_throttle", "login_throttle true|false",
             [](Parser& p, const Line& l) { return set_bool(l, p.config.login_throttle.enabled); }},
            {"login_throttle_free_failures", "login_throttle_free_failures COUNT",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.login_throttle.free_failures, 0, 1000);
             }},
            {"login_throttle_max_delay", "login_throttle_max_delay SECONDS",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.login_throttle.max_delay_seconds, 1, 3600);
             }},
            {"connect_timeout", "connect_timeout SECONDS",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.connect_timeout_seconds, 1, 3600);
             }},
            {"max_connect_size", "max_connect_size BYTES",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.max_connect_size, 64, 268'435'455);
             }},
            {"preauth_memory_budget", "preauth_memory_budget BYTES",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.preauth_memory_budget, 65'536, std::int64_t{1} << 40);
             }},
            {"output_buffer_limit", "output_buffer_limit BYTES",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.output_buffer_limit, 65'536, std::int64_t{1} << 40);
             }},
            {"max_subscriptions_per_client", "max_subscriptions_per_client COUNT (0 = no limit)",
             [](Parser& p, const Line& l) {
                 return set_integer(l, p.config.max_subscriptions_per_client, 0, kIntMax);
             }},
            {"log_format", "log_format text|json", on_log_format},
            {"enhanced_auth_test", "enhanced_auth_test true|false",
             [](Parser& p, const Line& l) { return set_bool(l, p.config.enhanced_auth_test); }},
        };
        add_bridge_options(specs);
        std::unordered_map<std::string_view, OptionSpec> map;
        for (const auto& spec : specs)
            map.emplace(spec.name, spec);
        return map;
    }();
    return table;
}

}  // namespace culex::config::parsing
