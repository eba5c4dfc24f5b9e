#include "cluster/nats_connection.hpp"

#include <fmt/format.h>

#include <vector>

#include "log/logger.hpp"

namespace culex::cluster {

using culex::log::logger;
using culex::log::LogType;

namespace {

constexpr std::int64_t kReconnectWaitMs = 1000;
constexpr std::int64_t kConnectTimeoutMs = 5000;

std::string url_of(natsConnection* connection) {
    char url[512] = {};
    if (natsConnection_GetConnectedUrl(connection, url, sizeof url) != NATS_OK || !*url) return "NATS";
    return url;
}

void on_disconnected(natsConnection* connection, void*) {
    if (natsConnection_IsClosed(connection)) return;  // the node is leaving: nothing is lost
    logger().log(LogType::warning,
                 "Warning: cluster: lost the connection to NATS{}: serving local clients only, messages to "
                 "and from other nodes wait until it is back.",
                 [&] {
                     std::string url = url_of(connection);
                     return url == "NATS" ? std::string() : " (" + url + ")";
                 }());
}

void on_reconnected(natsConnection* connection, void* relay) {
    logger().log(LogType::notice, "cluster: connected to NATS again at {}.", url_of(connection));
    static_cast<ReconnectRelay*>(relay)->reconnected();
}

void on_error(natsConnection*, natsSubscription*, natsStatus status, void*) {
    logger().log(LogType::warning, "Warning: cluster: NATS: {}.", natsStatus_GetText(status));
}

std::string set_options(natsOptions* options, const config::ClusterSettings& settings,
                        ReconnectRelay& relay) {
    std::vector<const char*> servers;
    for (const auto& url : settings.nats_urls)
        servers.push_back(url.c_str());
    std::string name = "culex node " + settings.node;
    natsStatus s = natsOptions_SetServers(options, servers.data(), static_cast<int>(servers.size()));
    if (s == NATS_OK) s = natsOptions_SetName(options, name.c_str());
    if (s == NATS_OK) s = natsOptions_SetNoEcho(options, true);
    if (s == NATS_OK) s = natsOptions_UseGlobalMessageDelivery(options, true);
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(options, -1);
    if (s == NATS_OK) s = natsOptions_SetReconnectWait(options, kReconnectWaitMs);
    if (s == NATS_OK) s = natsOptions_SetTimeout(options, kConnectTimeoutMs);
    if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(options, on_disconnected, nullptr);
    if (s == NATS_OK) s = natsOptions_SetReconnectedCB(options, on_reconnected, &relay);
    if (s == NATS_OK) s = natsOptions_SetErrorHandler(options, on_error, nullptr);
    if (s != NATS_OK) return nats_error(s);
    if (!settings.cafile.empty()) {
        s = natsOptions_SetSecure(options, true);
        if (s == NATS_OK) s = natsOptions_LoadCATrustedCertificates(options, settings.cafile.c_str());
        if (s != NATS_OK)
            return fmt::format("cluster_nats_cafile {}: {} (a PEM file of CA certificates)", settings.cafile,
                               nats_error(s));
    }
    if (!settings.certfile.empty()) {
        s = natsOptions_LoadCertificatesChain(options, settings.certfile.c_str(), settings.keyfile.c_str());
        if (s != NATS_OK)
            return fmt::format(
                "cluster_nats_certfile {} / cluster_nats_keyfile {}: {} (a PEM certificate and its "
                "unencrypted key)",
                settings.certfile, settings.keyfile, nats_error(s));
    }
    if (!settings.creds.empty()) {
        s = natsOptions_SetUserCredentialsFromFiles(options, settings.creds.c_str(), nullptr);
        if (s != NATS_OK)
            return fmt::format("cluster_nats_creds {}: {} (a credentials file as nsc writes it)",
                               settings.creds, nats_error(s));
    }
    return {};
}

}  // namespace

std::expected<ConnectionPtr, std::string> connect_to_nats(const config::ClusterSettings& settings,
                                                          ReconnectRelay& relay) {
    // libnats spins on a contended lock (2,000 tries by default) before it sleeps on it; its threads (the
    // reader, the flusher, the KV watches' dispatchers) meet the loops' publishing on the connection's
    // lock, and that spinning was the largest single item in a node's extra instructions per node-local
    // QoS 0 message (docs/cluster.md). Without spinning they wait in the kernel instead. Only the first open
    // of the library sets it; a later call (the library already open) changes nothing, which is fine.
    nats_Open(0);
    natsOptions* raw = nullptr;
    if (natsStatus s = natsOptions_Create(&raw); s != NATS_OK) return std::unexpected(nats_error(s));
    OptionsPtr options(raw);
    if (auto error = set_options(raw, settings, relay); !error.empty()) return std::unexpected(error);
    natsConnection* connection = nullptr;
    if (natsStatus s = natsConnection_Connect(&connection, raw); s != NATS_OK)
        return std::unexpected(
            fmt::format("cluster: cannot connect to NATS at {}: {}: start nats-server there (with JetStream, "
                        "-js), or fix "
                        "cluster_nats",
                        fmt::join(settings.nats_urls, ","), nats_error(s)));
    return ConnectionPtr(connection);
}

}  // namespace culex::cluster
