// `culex broker`: Mosquitto's command line (-c, -p, -v, -d), mosquitto.conf, and the server.
#include <arpa/inet.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

#include "bridge/bridges.hpp"
#include "bridge/local_login.hpp"
#include "broker/access_policy.hpp"
#include "broker/authenticator.hpp"
#include "cli/bridge_metrics_feed.hpp"
#include "cli/broker_api_context.hpp"
#include "cli/broker_persistence.hpp"
#include "cli/commands.hpp"
#include "cluster/cluster_node.hpp"
#include "config/config.hpp"
#include "log/logger.hpp"
#include "log/topic_sink.hpp"
#include "net/server.hpp"
#include "net/stop_signals.hpp"
#include "ops/http_endpoints.hpp"
#include "service/pid_file.hpp"
#include "service/privileges.hpp"
#include "service/systemd_notifier.hpp"
#include "tls/server_context.hpp"

namespace culex::cli {

namespace {

using culex::log::logger;
using culex::log::LogType;

constexpr std::string_view kVersion = "0.1.0";

struct BrokerFlags {
    std::string config_file;
    std::vector<int> ports;
    bool verbose = false;
    bool daemon = false;
};

std::expected<config::Config, std::string> load(const BrokerFlags& flags) {
    config::Config config;
    if (flags.config_file.empty()) {
        config = config::default_config(
            flags.ports.empty() ? 1883 : static_cast<std::uint16_t>(flags.ports.front()));
    } else {
        auto loaded = config::load_config(flags.config_file);
        if (!loaded) return std::unexpected(loaded.error().to_string());
        config = std::move(*loaded);
    }
    if (!flags.ports.empty()) {
        // -p: listen on localhost (IPv4 and IPv6) on each port, as Mosquitto 2 does without a config.
        if (!flags.config_file.empty()) config.listeners.clear();
        std::vector<config::Listener> listeners;
        for (int port : flags.ports) {
            for (const char* address : {"127.0.0.1", "::1"}) {
                config::Listener listener;
                listener.port = static_cast<std::uint16_t>(port);
                listener.bind_address = address;
                listener.security = config.security;
                listeners.push_back(listener);
            }
        }
        config.listeners = std::move(listeners);
    }
    if (flags.verbose) {
        config.log.types = LogType::all;
        config.log.to_stdout = true;
        config.log.to_stderr = false;
    }
    return config;
}

bool is_loopback_address(const std::string& text) {
    in_addr v4{};
    in6_addr v6{};
    if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    return ::inet_pton(AF_INET6, text.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

bool is_ip_address(const std::string& text) {
    unsigned char buffer[sizeof(struct in6_addr)];
    return ::inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
           ::inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// `listener 0 PATH`: a Unix socket (Mosquitto's); `listener 0 IP` is culex's ephemeral TCP port.
bool is_unix_socket(const config::Listener& listener) {
    return !listener.unix_socket_path.empty() && !is_ip_address(listener.unix_socket_path);
}

// A Unix socket listener carries plain MQTT, as Mosquitto's does: what would make it something else is
// refused rather than ignored. Empty: nothing to refuse.
std::string refuse_on_unix_socket(const config::Listener& listener) {
    if (listener.protocol != config::ListenerProtocol::mqtt)
        return "a Unix socket listener speaks plain MQTT only; remove its 'protocol' line or give it a port";
    if (listener.tls.enabled())
        return "TLS on a Unix socket listener is not supported (its file permissions guard it); remove "
               "certfile/keyfile from it or give it a port";
    return {};
}

// The `protocol http` listeners serve /metrics and the admin API (src/ops), labelled by listener. One served
// to anyone on an address other hosts reach is said so at start. The bridges' figures come from `bridges`.
void add_http_service(const config::Config& config, net::ServerOptions& options,
                      std::shared_ptr<BridgeMetricsFeed> bridges) {
    std::vector<std::string> names;
    bool any_http = false;
    for (const auto& listener : config.listeners) {
        bool http = listener.protocol == config::ListenerProtocol::http;
        // An HTTP listener carries no MQTT: its name is left empty, and its figures out of /metrics.
        // `listener 0 ADDRESS` keeps its address where a socket path would go.
        const std::string& address =
            listener.unix_socket_path.empty() ? listener.bind_address : listener.unix_socket_path;
        names.push_back(http              ? std::string()
                        : address.empty() ? fmt::format("{}", listener.port)
                                          : fmt::format("{} {}", listener.port, address));
        if (!http) continue;
        any_http = true;
        const auto& security = listener.security;
        if (security.allow_anonymous && !is_loopback_address(address))
            logger().log(LogType::warning,
                         "Warning: the http listener on port {} serves /metrics to anyone who can reach it "
                         "(allow_anonymous true); set allow_anonymous false and a password_file to ask for "
                         "credentials.",
                         listener.port);
        if (!security.allow_anonymous && security.password_file.empty())
            logger().log(
                LogType::warning,
                "Warning: the http listener on port {} has allow_anonymous false and no password_file: "
                "every request is refused (401); give it a password_file.",
                listener.port);
    }
    if (!any_http) return;
    ops::ApiContext api = api_context(config, kVersion);
    api.bridge_state = [bridges](const std::string& name) -> std::optional<std::string> {
        for (const auto& figures : bridges->figures())
            if (figures.name == name) return figures.state;
        return std::nullopt;  // not running (yet, or any more)
    };
    options.http = [names, api = std::move(api), bridges](broker::Broker& broker,
                                                          net::ServerReadings readings) -> net::HttpHandler {
        ops::ApiContext context = api;
        context.bound_port = std::move(readings.bound_port);
        auto endpoints = std::make_shared<ops::HttpEndpoints>(
            broker, names, std::move(context), [bridges] { return bridges->figures(); },
            std::move(readings.loops));
        return [endpoints](const net::HttpRequest& request) { return endpoints->handle(request); };
    };
}

std::expected<net::ServerOptions, std::string> server_options(const config::Config& config,
                                                              std::shared_ptr<BridgeMetricsFeed> bridges) {
    net::ServerOptions options;
    options.threads = static_cast<int>(config.threads);
    options.max_connections = config.max_connections ? static_cast<int>(*config.max_connections) : -1;
    for (const auto& listener : config.listeners) {
        std::string where =
            fmt::format("{}:{}: listener {}", listener.source_file, listener.source_line, listener.port);
        std::string bind_address = listener.bind_address;
        if (!listener.unix_socket_path.empty()) {
            // `listener 0 ADDRESS` with an IP address: an ephemeral TCP port (culex's own, for tests and
            // scripts; the port is in the "Opening ... listen socket" log line). Any other path is a Unix
            // socket.
            if (is_ip_address(listener.unix_socket_path)) {
                bind_address = listener.unix_socket_path;
            } else if (auto refused = refuse_on_unix_socket(listener); !refused.empty()) {
                return std::unexpected(fmt::format("{} {}: {}", where, listener.unix_socket_path, refused));
            }
        }
        net::ListenerSpec spec{bind_address,
                               listener.port,
                               listener.max_connections ? static_cast<int>(*listener.max_connections) : -1,
                               {},
                               listener.protocol == config::ListenerProtocol::websockets,
                               listener.protocol == config::ListenerProtocol::http,
                               is_unix_socket(listener) ? listener.unix_socket_path : std::string()};
        if (listener.tls.enabled()) {
            // Checked now, before anything listens: a broken TLS setup is an error at start.
            auto context = tls::make_server_context(listener);
            if (!context) return std::unexpected(context.error().message);
            for (const auto& warning : (*context)->warnings())
                logger().log(LogType::warning, "Warning: {}", warning);
            spec.tls = std::move(*context);
        }
        options.listeners.push_back(std::move(spec));
    }
    add_http_service(config, options, std::move(bridges));
    auto& s = options.settings;
    s.max_inflight_messages = config.max_inflight_messages;
    s.max_inflight_bytes = config.max_inflight_bytes;
    s.max_queued_messages = config.max_queued_messages;
    s.max_queued_bytes = config.max_queued_bytes;
    s.queue_qos0_messages = config.queue_qos0_messages;
    s.output_buffer_limit = static_cast<std::size_t>(config.output_buffer_limit);
    s.message_size_limit = config.message_size_limit;
    s.max_subscriptions_per_client = config.max_subscriptions_per_client;
    s.memory_limit = static_cast<std::size_t>(config.memory_limit);
    if (config.max_packet_size) s.max_packet_size = *config.max_packet_size;
    s.max_keepalive = config.max_keepalive;
    s.persistent_client_expiration = config.persistent_client_expiration;
    s.retain_available = config.retain_available;
    s.upgrade_outgoing_qos = config.upgrade_outgoing_qos;
    s.check_retain_source = config.check_retain_source;
    if (config.websockets_headers_size != 0) s.websockets_headers_size = config.websockets_headers_size;
    s.clientid_prefixes = config.clientid_prefixes;
    s.sys_interval = std::chrono::seconds(config.sys_interval);
    s.version = fmt::format("culex version {}", kVersion);
    for (const auto& listener : config.listeners)
        s.listeners.push_back({listener.max_qos, listener.max_topic_alias, listener.use_username_as_clientid,
                               listener.mount_point,
                               is_unix_socket(listener) ? listener.unix_socket_path : std::string()});
    s.login_throttle.enabled = config.login_throttle.enabled;
    s.login_throttle.free_failures = config.login_throttle.free_failures;
    s.login_throttle.max_delay = std::chrono::seconds(config.login_throttle.max_delay_seconds);
    s.connect_timeout = std::chrono::seconds(config.connect_timeout_seconds);
    s.max_connect_size = config.max_connect_size;
    s.preauth_memory_budget = static_cast<std::size_t>(config.preauth_memory_budget);
    if (config.enhanced_auth_test) s.authenticators.push_back(broker::make_test_challenge_authenticator());
    return options;
}

// One access policy per listener, in the order of the listeners: its password file and ACL, read once even
// when several listeners share them.
std::expected<std::vector<broker::AccessPolicy>, std::string> access_policies(const config::Config& config) {
    std::vector<broker::AccessPolicy> policies;
    std::map<std::pair<std::string, std::string>, broker::AccessPolicy> loaded;
    for (const auto& listener : config.listeners) {
        const auto& security = listener.security;
        auto key = std::pair(security.password_file, security.acl_file);
        auto found = loaded.find(key);
        if (found == loaded.end()) {
            auto policy = broker::load_access_policy(
                {security.allow_anonymous, security.password_file, security.acl_file});
            if (!policy) return std::unexpected(policy.error());
            if (policy->acl)
                for (const auto& warning : policy->acl->warnings())
                    logger().log(LogType::warning, "Warning: {}", warning);
            found = loaded.emplace(key, std::move(*policy)).first;
        }
        broker::AccessPolicy policy = found->second;  // shares the loaded files
        policy.allow_anonymous = security.allow_anonymous;
        policy.allow_zero_length_clientid = security.allow_zero_length_clientid;
        policy.auto_id_prefix = security.auto_id_prefix;
        policies.push_back(std::move(policy));
    }
    return policies;
}

// The bridges' local_username/local_password against the password file of the first listener's policy,
// the one the broker holds them to (broker::Client::kBridgeLocal).
std::expected<void, std::string> check_bridge_logins(const config::Config& config,
                                                     const std::vector<broker::AccessPolicy>& policies) {
    if (policies.empty()) return {};
    return bridge::check_local_logins(config.bridges, policies.front());
}

// On SIGHUP: the reloaded bridges' local logins against the reloaded password file. The access files are
// read for it only when a bridge has a local login: reading them again repeats their warnings.
bool reloaded_bridge_logins_ok(const config::Config& reloaded) {
    if (std::ranges::none_of(reloaded.bridges, [](const auto& b) { return b.local_username.has_value(); }))
        return true;
    auto policies = access_policies(reloaded);
    if (!policies) return true;  // said when the access rules are reloaded
    auto logins = check_bridge_logins(reloaded, *policies);
    if (logins) return true;
    logger().log(LogType::error, "Error reloading config: {}; keeping the running configuration.",
                 logins.error());
    return false;
}

// Where the broker keeps its state: what the config says, or, for `culex broker` with neither -c nor -p (what
// `make run` starts), a store in the user's data directory, so that a first run already loses nothing.
std::optional<BrokerPersistence::Place> persistence_place(const BrokerFlags& flags,
                                                          const config::Config& config) {
    if (!flags.config_file.empty() || !flags.ports.empty()) return BrokerPersistence::place(config, false);
    std::string why_not;
    auto directory = BrokerPersistence::default_directory(why_not);
    if (!directory) {
        logger().log(LogType::warning, "Warning: running without persistence: {}.", why_not);
        return std::nullopt;
    }
    return BrokerPersistence::Place{*directory / "culex.db", false, true};
}

// Once the listeners are bound and before the store opens or anyone is served: the pid file (written as the
// user that started culex, as Mosquitto does), then `user`, so that the store's files belong to the user the
// broker stays.
std::expected<void, std::string> become_service(const config::Config& config,
                                                std::optional<service::PidFile>& pid_file) {
    if (!config.pid_file.empty()) {
        auto created = service::PidFile::create(config.pid_file);
        if (!created) return std::unexpected(created.error());
        pid_file.emplace(std::move(*created));
    }
    return service::drop_privileges(config.user);
}

// What SIGHUP cannot change: say so instead of ignoring it.
void warn_unreloadable(const config::Config& running, const config::Config& reloaded) {
    if (reloaded.pid_file != running.pid_file)
        logger().log(LogType::warning,
                     "Warning: pid_file changed in the config; restart the broker to apply that.");
    if (reloaded.user != running.user)
        logger().log(LogType::warning,
                     "Warning: user changed in the config; restart the broker to apply that.");
}

void daemonize() {
    if (::daemon(1, 0) != 0) std::perror("culex broker: cannot run in the background");
}

int run_broker(const BrokerFlags& flags) {
    // Before any thread starts (the login checkers, the store's writer, the loops): they all inherit it, and
    // one thread of the server takes SIGINT, SIGTERM and SIGHUP with sigwait (net/stop_signals.hpp says why).
    net::block_stop_signals();
    auto config = load(flags);
    if (!config) {
        std::fprintf(stderr, "Error: %s\n", config.error().c_str());
        return 1;
    }
    log::enable_topic_destination(config->log_to_topic);
    if (auto configured = logger().configure(config->log); !configured) {
        std::fprintf(stderr, "Error: %s\n", configured.error().message.c_str());
        return 1;
    }
    auto bridge_metrics = std::make_shared<BridgeMetricsFeed>();
    auto options = server_options(*config, bridge_metrics);
    if (!options) {
        std::fprintf(stderr, "Error: %s\n", options.error().c_str());
        return 1;
    }
    logger().log(LogType::notice, "culex version {} starting", kVersion);
    if (!flags.config_file.empty())
        logger().log(LogType::information, "Config loaded from {}.", flags.config_file);
    for (const auto& warning : config->warnings)
        logger().log(LogType::warning, "Warning: {}", warning.to_string());
    if (config->local_only) {
        logger().log(
            LogType::notice,
            "Starting in local only mode. Connections will only be possible from clients running on this "
            "machine.");
        logger().log(LogType::notice,
                     "Create a configuration file which defines a listener to allow remote access.");
    }
    if (auto supported = bridge::Bridges::check(config->bridges); !supported) {
        logger().log(LogType::error, "Error: {}", supported.error());
        return 1;
    }
    auto policies = access_policies(*config);
    if (!policies) {
        logger().log(LogType::error, "Error: {}", policies.error());
        return 1;
    }
    if (auto logins = check_bridge_logins(*config, *policies); !logins) {
        logger().log(LogType::error, "Error: {}", logins.error());
        return 1;
    }
    options->policies = std::move(*policies);
    if (flags.daemon) daemonize();

    service::SystemdNotifier systemd;
    std::optional<service::PidFile> pid_file;  // removed last, after the store is closed
    std::unique_ptr<BrokerPersistence> persistence;
    if (auto place = persistence_place(flags, *config))
        persistence = std::make_unique<BrokerPersistence>(std::move(*place));
    // Stopped once the loops have (it is called from them), before the server and its broker go.
    std::unique_ptr<cluster::ClusterNode> cluster_node;
    options->prepare = [&](broker::Broker& broker) -> std::expected<void, std::string> {
        if (auto became = become_service(*config, pid_file); !became) return became;
        if (persistence)
            if (auto prepared = persistence->prepare(broker); !prepared) return prepared;
        // After the local store: the cluster's retained messages are the newer ones.
        if (config->cluster.enabled()) {
            auto joined = cluster::ClusterNode::start(config->cluster, broker);
            if (!joined) return std::unexpected(joined.error());
            cluster_node = std::move(*joined);
        }
        return {};
    };
    net::Server server(std::move(*options));
    // The writer stops before the server goes: its last completions still post to the loops.
    struct StopWriter {
        BrokerPersistence* persistence;
        ~StopWriter() {
            if (persistence) persistence->stop();
        }
    } stop_writer{persistence.get()};
    if (auto started = server.start(); !started) {
        if (cluster_node) cluster_node->stop();
        logger().log(LogType::error, "Error: {}", started.error());
        return 1;
    }
    logger().log(LogType::notice, "culex version {} running", kVersion);
    // Destroyed before the server, once its loops have stopped.
    bridge::Bridges bridges(config->bridges, server, std::chrono::seconds(config->sys_interval));
    BridgeMetricsAttachment bridges_in_metrics(*bridge_metrics, bridges);
    systemd.ready(fmt::format("culex version {} running", kVersion));
    systemd.start_watchdog();
    std::size_t listener_count = config->listeners.size();
    server.run([&flags, &server, &systemd, &config, listener_count, &bridges] {
        service::ReloadNotice reload_notice(systemd);  // RELOADING=1 now, READY=1 however this ends
        logger().log(LogType::notice, "Reloading config.");
        auto reloaded = load(flags);
        if (!reloaded) {
            logger().log(LogType::error, "Error reloading config: {}; keeping the running configuration.",
                         reloaded.error());
            return;
        }
        if (!reloaded_bridge_logins_ok(*reloaded)) return;
        // Unlike Mosquitto, bridges are reloaded: added, removed, or replaced when changed.
        bridges.reload(reloaded->bridges);
        log::enable_topic_destination(reloaded->log_to_topic);
        if (auto configured = logger().configure(reloaded->log); !configured)
            logger().log(LogType::error, "Error: {}", configured.error().message);
        warn_unreloadable(*config, *reloaded);
        // Listeners stay as they were started; their access rules (password_file, acl_file,
        // allow_anonymous) are reloaded.
        if (reloaded->listeners.size() != listener_count) {
            logger().log(LogType::warning,
                         "Warning: listeners changed in the config; restart the broker to apply that.");
            return;
        }
        auto policies = access_policies(*reloaded);
        if (!policies) {
            logger().log(LogType::error, "Error reloading access rules: {}; keeping the running ones.",
                         policies.error());
            return;
        }
        server.replace_policies(std::move(*policies));
        // Certificates and keys: new connections get the new files; open connections keep theirs.
        for (std::size_t i = 0; i < reloaded->listeners.size(); ++i) {
            const auto& listener = reloaded->listeners[i];
            if (!listener.tls.enabled()) continue;
            auto context = tls::make_server_context(listener);
            if (!context) {
                logger().log(LogType::error,
                             "Error reloading TLS for {}: {}; keeping the running certificates.",
                             tls::describe_listener(listener), context.error().message);
                continue;
            }
            for (const auto& warning : (*context)->warnings())
                logger().log(LogType::warning, "Warning: {}", warning);
            server.replace_tls(i, std::move(*context));
        }
    });
    if (cluster_node) cluster_node->stop();
    systemd.stopping();
    logger().log(LogType::notice, "culex version {} terminating", kVersion);
    return 0;
}

}  // namespace

void add_broker_command(CLI::App& app, int& exit_code) {
    auto flags = std::make_shared<BrokerFlags>();
    auto* cmd = app.add_subcommand("broker",
                                   "run the MQTT broker (takes mosquitto's command line and mosquitto.conf)");
    cmd->add_option("-c,--config-file", flags->config_file,
                    "Read this mosquitto.conf-style configuration file");
    cmd->add_option("-p,--port", flags->ports,
                    "Listen on localhost on this port instead of 1883 (repeatable)")
        ->check(CLI::Range(1, 65535));
    cmd->add_flag("-v,--verbose", flags->verbose,
                  "Log every message type to stdout (overrides log_type/log_dest)");
    cmd->add_flag("-d,--daemon", flags->daemon, "Run in the background");
    cmd->callback([flags, &exit_code] { exit_code = run_broker(*flags); });
}

}  // namespace culex::cli
