// What `culex bench` is asked to do: the scenario, the load, and where the broker is. plan() validates the
// options and turns the scenario into a topology (how many publishers and subscribers, and how many
// deliveries each message should cause), so the engine never interprets scenario names itself.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "protocol/types.hpp"

namespace culex::bench {

enum class Scenario {
    conn,    // open C connections (at a rate) and hold them
    pub,     // C publishers, no subscribers of ours
    sub,     // C subscribers on a filter, messages from elsewhere
    fanin,   // C publishers -> 1 subscriber on a wildcard
    fanout,  // 1 publisher -> C subscribers
    p2p,     // C pairs, a topic each
    shared,  // P publishers -> C subscribers in one shared subscription group
};

std::optional<Scenario> parse_scenario(std::string_view name);
std::string_view to_string(Scenario scenario);

// "3.1.1", "311", "mqttv311", "4" -> v311; "5", "mqttv5" -> v5; "3.1", "31", "mqttv31", "3" -> v31.
std::optional<protocol::ProtocolVersion> parse_version(std::string_view name);
std::string_view version_name(protocol::ProtocolVersion version);

// TLS as mosquitto_pub spells it: any of --cafile, --capath or --cert turns it on, as --tls does (which then
// trusts the system's CAs). The server certificate is always verified; --insecure skips the host-name check.
struct TlsOptions {
    bool requested = false;  // --tls
    std::string cafile;
    std::string capath;
    std::string certfile;  // --cert
    std::string keyfile;   // --key
    bool insecure = false;
    std::string version;  // --tls-version: the oldest accepted, tlsv1.3, tlsv1.2 or tlsv1.1; empty: TLS 1.2
    // --ciphersuites: the TLS 1.3 suites offered, in order (OpenSSL's syntax); empty: OpenSSL's. So that a
    // comparison runs every broker on one cipher: OpenSSL servers take the client's first choice, Go's
    // (NATS) always prefers AES-128-GCM.
    std::string ciphersuites;

    bool enabled() const { return requested || !cafile.empty() || !capath.empty() || !certfile.empty(); }
};

struct Options {
    Scenario scenario = Scenario::p2p;
    std::string host = "127.0.0.1";
    std::uint16_t port = 1883;
    // Publishers and subscribers on different ports (0: `port`): two brokers joined by a bridge, publishers
    // on one and subscribers on the other.
    std::uint16_t pub_port = 0;
    std::uint16_t sub_port = 0;
    protocol::ProtocolVersion version = protocol::ProtocolVersion::v311;
    unsigned clients = 0;  // the scenario's count (pairs, publishers, subscribers, connections); 0: default
    unsigned publishers = 0;  // `shared` only: publishers feeding the group; 0: 1
    protocol::QoS qos = protocol::QoS::at_most_once;
    std::size_t payload_size = 64;
    double rate = 0;          // messages per second, all publishers together; 0: as fast as possible
    double duration = 10;     // seconds of publishing (of holding, for `conn`)
    std::uint64_t count = 0;  // messages per publisher; 0: until `duration` ends
    unsigned inflight = 0;    // per publisher; 0: the default for the QoS (see effective_inflight)
    unsigned threads = 1;     // event loops, connections spread over them
    double connect_rate = 0;  // new connections per second; 0: as fast as the broker accepts them
    std::string topic;        // pub: topic ("%i": publisher number); sub: filter
    std::optional<std::string> username;
    std::optional<std::string> password;
    std::uint16_t keepalive = 60;
    // Sample these processes' CPU time and RSS, summed (two brokers joined by a bridge); empty: do not.
    std::vector<int> broker_pids;
    double drain = 5;             // seconds to wait for messages still in flight when publishing stops
    double connect_timeout = 30;  // seconds for every connection to be up (and subscribed)
    std::size_t batch_bytes = 64 * 1024;  // a publisher's write buffer: many PUBLISHes per write
    TlsOptions tls;
    // Subscribers connect with clean session 0 (MQTT 5: clean start 0 and kSessionExpiry), so that a broker
    // with persistence stores their sessions and queues: what a QoS 1 PUBLISH to them costs. Publishers stay
    // clean: their own sessions would add stored state that is not the thing measured.
    bool persistent_subscribers = false;
};

// MQTT 5 session expiry of persistent subscribers: longer than any run, and still forgotten by a broker
// that outlives the run (3.1.1 has no expiry: such sessions stay until the broker's own limits end them).
constexpr std::uint32_t kSessionExpiry = 3600;

// The port publishers (or subscribers) connect to: pub_port (sub_port) when given, else port.
std::uint16_t publisher_port(const Options& options);
std::uint16_t subscriber_port(const Options& options);

struct Topology {
    unsigned publishers = 0;
    unsigned subscribers = 0;
    unsigned connections = 0;  // `conn`: idle connections
    // Deliveries one PUBLISH should cause among our subscribers (fanout: C; shared, p2p, fanin: 1;
    // pub, sub, conn: 0, unknown or none).
    unsigned deliveries_per_message = 0;
    bool shared_group = false;
};

unsigned default_clients(Scenario scenario);

// QoS 0: messages sent and not yet received by our own subscribers (1000), so that a broker that drops or
// queues without bound does not make the run measure its queue; QoS 1/2: PUBLISHes not yet acknowledged
// (100).
unsigned effective_inflight(const Options& options);

// Checks the options against each other and returns the topology, or an error naming the bad option.
std::expected<Topology, Error> plan(const Options& options);

// The 24 bytes of sequence number, timestamp and publisher number must fit in the payload.
constexpr std::size_t kMinPayloadSize = 24;

}  // namespace culex::bench
