// cluster_nats, cluster_node and the NATS connection's TLS and credentials (culex's own, docs/cluster.md).
// What concerns the block as a whole (a node name is required once cluster_nats is set) is checked once
// the file is read.
#include <cctype>
#include <limits>

#include "config/option_handlers.hpp"

namespace culex::config::parsing {

namespace {

// A node name goes into a JetStream KV key and into log lines: letters, digits, '-' and '_' keep it valid
// in both and readable.
bool is_valid_node_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
    return true;
}

bool is_nats_url(std::string_view url) {
    for (std::string_view scheme : {"nats://", "tls://", "ws://", "wss://"})
        if (url.starts_with(scheme) && url.size() > scheme.size()) return true;
    // libnats also takes a bare host:port.
    return url.find("://") == std::string_view::npos && url.find(':') != std::string_view::npos;
}

}  // namespace

Result on_cluster_nats(Parser& p, const Line& l) {
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    std::vector<std::string> urls;
    std::string_view rest = *word;
    while (!rest.empty()) {
        auto comma = rest.find(',');
        std::string_view url = rest.substr(0, comma);
        if (!is_nats_url(url))
            return std::unexpected(
                fmt::format("'cluster_nats' needs NATS server URLs separated by commas (e.g. "
                            "nats://10.0.0.1:4222,nats://10.0.0.2:4222), got '{}'",
                            url));
        urls.emplace_back(url);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    p.config.cluster.nats_urls = std::move(urls);
    p.config.cluster.source_file = p.file;
    p.config.cluster.source_line = p.line;
    return {};
}

void note_cluster_line(Parser& p) {
    if (p.config.cluster.source_line != 0) return;
    p.config.cluster.source_file = p.file;
    p.config.cluster.source_line = p.line;
}

Result on_cluster_node(Parser& p, const Line& l) {
    note_cluster_line(p);
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    if (!is_valid_node_name(*word))
        return std::unexpected(fmt::format(
            "'cluster_node' needs a name of 1 to 64 letters, digits, '-' or '_', got '{}'", *word));
    p.config.cluster.node = std::string(*word);
    return {};
}

Result on_cluster_replicas(Parser& p, const Line& l) {
    note_cluster_line(p);
    // JetStream's own bound: a stream has at most 5 replicas.
    return set_integer(l, p.config.cluster.replicas, 1, 5);
}

Result on_cluster_stream_max_age(Parser& p, const Line& l) {
    note_cluster_line(p);
    auto word = word_value(l);
    if (!word) return std::unexpected(word.error());
    auto value = parse_duration(l.option, *word);
    if (!value) return std::unexpected(value.error());
    p.config.cluster.stream_max_age = *value;
    return {};
}

Result on_cluster_stream_max_bytes(Parser& p, const Line& l) {
    note_cluster_line(p);
    // Below a megabyte the stream would hold a handful of messages: a typo more likely than a wish.
    std::int64_t bytes = 0;
    if (auto ok = set_integer(l, bytes, std::int64_t{1} << 20, std::numeric_limits<std::int64_t>::max()); !ok)
        return ok;
    p.config.cluster.stream_max_bytes = bytes;
    return {};
}

std::expected<void, ConfigError> check_cluster(const Config& config) {
    const ClusterSettings& cluster = config.cluster;
    auto at = [&](std::string message) {
        return std::unexpected(ConfigError{cluster.source_file, cluster.source_line, std::move(message)});
    };
    if (!cluster.enabled()) {
        bool any = !cluster.node.empty() || !cluster.cafile.empty() || !cluster.certfile.empty() ||
                   !cluster.keyfile.empty() || !cluster.creds.empty() || cluster.replicas != 0 ||
                   cluster.stream_max_age || cluster.stream_max_bytes;
        if (any)
            return at(
                "cluster_node or another cluster_* option is set but cluster_nats is not: add 'cluster_nats "
                "URL' to run as a cluster node, or remove them");
        return {};
    }
    if (cluster.node.empty())
        return at(
            "cluster_nats is set but cluster_node is not: give this node a name unique in the cluster "
            "('cluster_node NAME')");
    if (cluster.certfile.empty() != cluster.keyfile.empty())
        return at(
            "cluster_nats_certfile and cluster_nats_keyfile go together: set both (this node's "
            "certificate and its key) or neither");
    return {};
}

}  // namespace culex::config::parsing
