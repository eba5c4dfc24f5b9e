#include "bench/options.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace culex::bench {

namespace {

constexpr std::array<std::pair<std::string_view, Scenario>, 7> kScenarios{{
    {"conn", Scenario::conn},
    {"pub", Scenario::pub},
    {"sub", Scenario::sub},
    {"fanin", Scenario::fanin},
    {"fanout", Scenario::fanout},
    {"p2p", Scenario::p2p},
    {"shared", Scenario::shared},
}};

// What cannot work among the TLS flags, in the words of the flag to change.
std::optional<std::string> check_tls(const TlsOptions& tls) {
    if (!tls.version.empty() && tls.version != "tlsv1.3" && tls.version != "tlsv1.2" &&
        tls.version != "tlsv1.1")
        return fmt::format("--tls-version \"{}\": use tlsv1.3, tlsv1.2 or tlsv1.1", tls.version);
    if (tls.certfile.empty() != tls.keyfile.empty()) return std::string("give --cert and --key together");
    if (!tls.enabled() && (tls.insecure || !tls.version.empty() || !tls.ciphersuites.empty()))
        return std::string(
            "--insecure, --tls-version and --ciphersuites apply to TLS: add --tls or --cafile FILE");
    return std::nullopt;
}

}  // namespace

std::optional<Scenario> parse_scenario(std::string_view name) {
    for (const auto& [text, scenario] : kScenarios)
        if (text == name) return scenario;
    return std::nullopt;
}

std::string_view to_string(Scenario scenario) {
    for (const auto& [text, value] : kScenarios)
        if (value == scenario) return text;
    return "?";
}

std::optional<protocol::ProtocolVersion> parse_version(std::string_view name) {
    using protocol::ProtocolVersion;
    if (name == "3.1.1" || name == "311" || name == "mqttv311" || name == "4") return ProtocolVersion::v311;
    if (name == "5" || name == "5.0" || name == "mqttv5") return ProtocolVersion::v5;
    if (name == "3.1" || name == "31" || name == "mqttv31" || name == "3") return ProtocolVersion::v31;
    return std::nullopt;
}

std::string_view version_name(protocol::ProtocolVersion version) {
    switch (version) {
        case protocol::ProtocolVersion::v31:
            return "3.1";
        case protocol::ProtocolVersion::v311:
            return "3.1.1";
        case protocol::ProtocolVersion::v5:
            return "5";
    }
    return "?";
}

unsigned default_clients(Scenario scenario) {
    switch (scenario) {
        case Scenario::conn:
            return 100;
        case Scenario::pub:
        case Scenario::sub:
            return 1;
        case Scenario::fanin:
            return 8;
        case Scenario::fanout:
            return 16;
        case Scenario::p2p:
            return 8;
        case Scenario::shared:
            return 4;
    }
    return 1;
}

std::uint16_t publisher_port(const Options& options) {
    return options.pub_port != 0 ? options.pub_port : options.port;
}

std::uint16_t subscriber_port(const Options& options) {
    return options.sub_port != 0 ? options.sub_port : options.port;
}

unsigned effective_inflight(const Options& options) {
    if (options.inflight != 0) return options.inflight;
    return options.qos == protocol::QoS::at_most_once ? 1000 : 100;
}

std::expected<Topology, Error> plan(const Options& options) {
    auto fail = [](std::string message) { return std::unexpected(Error{std::move(message)}); };
    if (auto bad = check_tls(options.tls)) return fail(*bad);
    if (options.payload_size < kMinPayloadSize)
        return fail(
            fmt::format("payload size {} is too small: culex bench needs at least {} bytes for the "
                        "sequence number and timestamp (use -s {} or more)",
                        options.payload_size, kMinPayloadSize, kMinPayloadSize));
    if (options.payload_size > 16 * 1024 * 1024)
        return fail("payload size larger than 16 MiB: pick a smaller -s");
    if (options.threads == 0 || options.threads > 256) return fail("threads must be between 1 and 256");
    if (options.duration <= 0 && options.count == 0)
        return fail("give a positive duration (-d SECONDS) or a message count (-n COUNT)");
    if (options.rate < 0 || options.connect_rate < 0) return fail("rates cannot be negative");
    if (options.inflight > 65535 && options.qos != protocol::QoS::at_most_once)
        return fail("at QoS 1 and 2 the in-flight window cannot exceed 65535 packet identifiers");
    if (publisher_port(options) == 0 || subscriber_port(options) == 0)
        return fail("port 0 is not a broker's port: give -p PORT (or --pub-port and --sub-port)");
    for (int pid : options.broker_pids)
        if (pid <= 0) return fail(fmt::format("--broker-pid {}: give a process id (pidof BROKER)", pid));
    if (options.scenario == Scenario::sub && options.count != 0)
        return fail("-n counts messages per publisher; the sub scenario has no publishers of ours");

    unsigned clients = options.clients != 0 ? options.clients : default_clients(options.scenario);
    Topology t;
    switch (options.scenario) {
        case Scenario::conn:
            t.connections = clients;
            break;
        case Scenario::pub:
            t.publishers = clients;
            break;
        case Scenario::sub:
            t.subscribers = clients;
            break;
        case Scenario::fanin:
            t.publishers = clients;
            t.subscribers = 1;
            t.deliveries_per_message = 1;
            break;
        case Scenario::fanout:
            t.publishers = 1;
            t.subscribers = clients;
            t.deliveries_per_message = clients;
            break;
        case Scenario::p2p:
            t.publishers = clients;
            t.subscribers = clients;
            t.deliveries_per_message = 1;
            break;
        case Scenario::shared:
            t.publishers = options.publishers != 0 ? options.publishers : 1;
            t.subscribers = clients;
            t.deliveries_per_message = 1;
            t.shared_group = true;
            break;
    }
    if (options.persistent_subscribers && t.subscribers == 0)
        return fail(
            fmt::format("--disable-clean-session applies to subscribers, and the {} scenario has none",
                        to_string(options.scenario)));
    if (options.publishers != 0 && options.scenario != Scenario::shared)
        return fail("--publishers applies to the shared scenario only (elsewhere -c sets the count)");
    if (t.publishers + t.subscribers + t.connections > 1'000'000)
        return fail("more than 1,000,000 connections: lower -c");
    return t;
}

}  // namespace culex::bench
