// What the analysis reports, and the interface outputs implement: one call per MQTT packet, per TLS record,
// per security finding, per connection verdict, and one summary at the end.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocol/packets.hpp"
#include "sniff/stream_types.hpp"
#include "sniff/tls_records.hpp"

namespace culex::sniff {

enum class Transport : std::uint8_t {
    unknown,    // no data yet
    mqtt,       // MQTT over plain TCP
    websocket,  // MQTT over WebSocket, plain
    tls,        // TLS: what is inside is not readable
    not_mqtt,   // something else: reported and skipped
};

// What is known about one connection; outputs read it, the analysis writes it.
struct Connection {
    ConnectionId id = 0;
    Endpoints endpoints;
    Transport transport = Transport::unknown;
    std::optional<protocol::ProtocolVersion> version;  // from CONNECT
    std::string client_id;
    std::optional<std::string> username;
    bool credentials_in_clear = false;
    std::uint64_t mqtt_packets = 0;
    std::uint64_t publishes = 0;
    std::uint64_t bytes[2] = {0, 0};  // by Direction
    // TLS
    std::string tls_version;
    std::string tls_cipher;
    std::string tls_sni;
    std::vector<std::string> certificate_subjects;
    std::uint64_t encrypted_records = 0;
    std::uint64_t encrypted_bytes = 0;
    std::string problem;  // why the stream was skipped: not MQTT, malformed MQTT
};

struct PacketEvent {
    Micros time;
    const Connection& connection;
    Direction direction;
    const protocol::Packet& packet;
    std::size_t size;  // bytes on the wire, fixed header included
};

struct TlsEvent {
    Micros time;
    const Connection& connection;
    Direction direction;
    const TlsObservation& observation;
};

enum class FindingKind : std::uint8_t {
    credentials_in_clear,
    readable_traffic,
    tls_session,
    certificate_in_clear,
    not_mqtt,
    malformed,
};

struct Finding {
    Micros time;
    const Connection& connection;
    FindingKind kind;
    std::string text;
};

enum class Verdict : std::uint8_t { readable, encrypted, not_mqtt, no_data };

struct Summary {
    std::uint64_t frames = 0;
    std::uint64_t tcp_segments = 0;
    std::uint64_t connections = 0;
    std::uint64_t mqtt_packets = 0;
    std::map<std::string, std::uint64_t> packets_by_type;  // "PUBLISH" -> 12
    std::map<FindingKind, std::uint64_t> findings;
    std::map<Verdict, std::uint64_t> verdicts;
    bool interrupted = false;
};

class EventSink {
  public:
    virtual ~EventSink() = default;
    virtual void packet(const PacketEvent& event) = 0;
    virtual void tls(const TlsEvent& event) = 0;
    virtual void finding(const Finding& finding) = 0;
    virtual void verdict(const Connection& connection, Verdict verdict, CloseReason reason, Micros time) = 0;
    virtual void summary(const Summary& summary) = 0;
};

Verdict verdict_of(const Connection& connection);
std::string_view to_string(Verdict verdict);
std::string_view to_string(FindingKind kind);
std::string_view to_string(Transport transport);
std::string_view to_string(CloseReason reason);

}  // namespace culex::sniff
