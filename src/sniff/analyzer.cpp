#include "sniff/analyzer.hpp"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "protocol/codec.hpp"
#include "sniff/printable.hpp"
#include "sniff/tls_records.hpp"
#include "sniff/websocket.hpp"

namespace culex::sniff {

namespace {

std::size_t index(Direction direction) {
    return static_cast<std::size_t>(direction);
}

std::string_view side(Direction direction) {
    return direction == Direction::to_broker ? "client" : "broker";
}

}  // namespace

struct Analyzer::State {
    Connection connection;
    std::string pending[2];       // MQTT bytes not yet a whole packet, per direction
    std::string classify_buffer;  // the first bytes, until there are enough to tell what the stream is
    TlsRecordReader tls[2];
    WebSocketReader websocket[2];
    std::vector<TlsObservation> observations;  // reused per TLS feed
    // MQTT 5 topic aliases, per direction: each side chooses its own (spec 3.3.2.3.4).
    std::unordered_map<std::uint16_t, std::string> topic_aliases[2];
    bool readable_reported = false;
    bool done = false;  // skipped: no more data is analysed
};

Analyzer::Analyzer(EventSink& sink, AnalyzerOptions options) : sink_(sink), options_(options) {}

Analyzer::~Analyzer() = default;

Summary& Analyzer::summary() {
    summary_.packets_by_type.clear();
    for (std::size_t type = 0; type < packets_by_type_.size(); ++type) {
        if (packets_by_type_[type] == 0) continue;
        auto name = protocol::to_string(static_cast<protocol::PacketType>(type));
        summary_.packets_by_type[std::string(name)] = packets_by_type_[type];
    }
    return summary_;
}

void Analyzer::on_open(ConnectionId id, const Endpoints& endpoints, Micros) {
    auto state = std::make_unique<State>();
    state->connection.id = id;
    state->connection.endpoints = endpoints;
    states_[id] = std::move(state);
    ++summary_.connections;
}

bool Analyzer::on_data(ConnectionId id, Direction direction, std::string_view bytes, Micros time) {
    auto found = states_.find(id);
    if (found == states_.end() || bytes.empty()) return true;
    State& state = *found->second;
    if (state.done) return false;
    state.connection.bytes[index(direction)] += bytes.size();
    switch (state.connection.transport) {
        case Transport::unknown:
            return classify(state, direction, bytes, time);
        case Transport::mqtt:
            return on_mqtt_bytes(state, direction, bytes, time);
        case Transport::tls:
            return on_tls_bytes(state, direction, bytes, time);
        case Transport::websocket:
            return on_websocket_bytes(state, direction, bytes, time);
        case Transport::not_mqtt:
            return false;
    }
    return false;
}

void Analyzer::on_close(ConnectionId id, CloseReason reason, Micros time) {
    auto found = states_.find(id);
    if (found == states_.end()) return;
    const Connection& connection = found->second->connection;
    Verdict verdict = verdict_of(connection);
    ++summary_.verdicts[verdict];
    sink_.verdict(connection, verdict, reason, time);
    states_.erase(found);
}

// The first bytes of a connection (whichever side speaks first) decide what it carries.
bool Analyzer::classify(State& state, Direction direction, std::string_view bytes, Micros time) {
    std::string& buffer = state.classify_buffer;
    buffer.append(bytes);
    std::string_view head = buffer;
    if (head.size() < 4) {
        // "GET " and a TLS record header need a few bytes; MQTT's smallest packet is two.
        bool maybe_more = std::string_view("GET ").starts_with(head) || head[0] == 0x16 || head[0] == 0x15;
        if (maybe_more) return true;
    }
    std::string first(std::move(buffer));
    buffer.clear();
    if (looks_like_tls(first)) {
        state.connection.transport = Transport::tls;
        return on_tls_bytes(state, direction, first, time);
    }
    if (first.starts_with("GET ")) {
        state.connection.transport = Transport::websocket;
        return on_websocket_bytes(state, direction, first, time);
    }
    auto type = static_cast<std::uint8_t>(first[0]) >> 4;
    if (type >= 1 && type <= 15) {
        state.connection.transport = Transport::mqtt;
        return on_mqtt_bytes(state, direction, first, time);
    }
    state.connection.transport = Transport::not_mqtt;
    return give_up(state, time, fmt::format("not MQTT (first bytes: {}): skipped", hex_preview(first, 8)));
}

bool Analyzer::on_mqtt_bytes(State& state, Direction direction, std::string_view bytes, Micros time) {
    std::string& pending = state.pending[index(direction)];
    std::string_view input = bytes;
    if (!pending.empty()) {
        pending.append(bytes);
        input = pending;
    }
    Connection& connection = state.connection;
    std::size_t used = 0;
    while (used < input.size()) {
        auto frame = protocol::next_frame(input.substr(used), options_.max_packet_size);
        if (!frame) return fail_mqtt(state, direction, input.substr(used), time, frame.error().message);
        if (!*frame) break;
        // Before CONNECT (a capture that began mid-connection) the version is a guess: 3.1.1, then 5.
        auto version = connection.version.value_or(protocol::ProtocolVersion::v311);
        auto packet = protocol::decode(**frame, version);
        if (!packet && !connection.version && (*frame)->type() != protocol::PacketType::connect) {
            packet = protocol::decode(**frame, protocol::ProtocolVersion::v5);
            if (packet) connection.version = protocol::ProtocolVersion::v5;
        }
        if (!packet) {
            return fail_mqtt(
                state, direction, input.substr(used), time,
                fmt::format("{}: {}", protocol::to_string((*frame)->type()), packet.error().message));
        }
        if (auto* publish = std::get_if<protocol::Publish>(&*packet))
            resolve_alias(state, direction, *publish);
        on_packet(state, direction, *packet, (*frame)->size, time);
        used += (*frame)->size;
    }
    if (input.data() == pending.data()) {
        pending.erase(0, used);
    } else {
        pending.assign(input.substr(used));
    }
    return true;
}

// A PUBLISH that names its topic by alias alone gets the topic the alias was last set to, so that every
// output shows it; the alias property stays in the packet for those who want to see it.
void Analyzer::resolve_alias(State& state, Direction direction, protocol::Publish& publish) {
    if (!publish.properties->topic_alias) return;
    auto& aliases = state.topic_aliases[index(direction)];
    auto alias = *publish.properties->topic_alias;
    if (!publish.topic.empty()) {
        aliases[alias] = publish.topic;
    } else if (auto known = aliases.find(alias); known != aliases.end()) {
        publish.topic = known->second;
    }
}

// A stream that never produced one MQTT packet is not MQTT; one that did has gone bad.
bool Analyzer::fail_mqtt(State& state, Direction direction, std::string_view at, Micros time,
                         const std::string& why) {
    if (state.connection.mqtt_packets == 0) {
        state.connection.transport = Transport::not_mqtt;
        return give_up(state, time,
                       fmt::format("not MQTT (first bytes from the {}: {}; {}): skipped", side(direction),
                                   hex_preview(at, 8), why));
    }
    return give_up(
        state, time,
        fmt::format("malformed MQTT from the {} ({}): rest of the connection skipped", side(direction), why));
}

bool Analyzer::on_websocket_bytes(State& state, Direction direction, std::string_view bytes, Micros time) {
    std::string mqtt;
    auto status = state.websocket[index(direction)].feed(bytes, direction == Direction::to_broker, mqtt);
    if (status == WebSocketReader::Status::not_websocket) {
        if (state.connection.mqtt_packets == 0) state.connection.transport = Transport::not_mqtt;
        return give_up(state, time, "HTTP without a WebSocket upgrade: not MQTT, skipped");
    }
    return mqtt.empty() || on_mqtt_bytes(state, direction, mqtt, time);
}

bool Analyzer::on_tls_bytes(State& state, Direction direction, std::string_view bytes, Micros time) {
    state.observations.clear();
    bool ok = state.tls[index(direction)].feed(bytes, state.observations);
    for (const auto& seen : state.observations)
        on_tls_observation(state, direction, seen, time);
    if (!ok)
        return give_up(state, time,
                       fmt::format("TLS stream from the {} broke off (not a TLS record): "
                                   "rest skipped",
                                   side(direction)));
    return true;
}

void Analyzer::on_packet(State& state, Direction direction, const protocol::Packet& packet, std::size_t size,
                         Micros time) {
    Connection& connection = state.connection;
    ++connection.mqtt_packets;
    ++summary_.mqtt_packets;
    ++packets_by_type_[static_cast<std::size_t>(protocol::type_of(packet))];
    if (const auto* connect = std::get_if<protocol::Connect>(&packet)) {
        connection.version = connect->version;
        connection.client_id = connect->client_id;
        connection.username = connect->username;
    } else if (const auto* connack = std::get_if<protocol::Connack>(&packet)) {
        if (connection.client_id.empty() && connack->properties.assigned_client_identifier) {
            connection.client_id = *connack->properties.assigned_client_identifier;
        }
    } else if (std::holds_alternative<protocol::Publish>(packet)) {
        ++connection.publishes;
    }

    sink_.packet(PacketEvent{time, connection, direction, packet, size});

    if (const auto* connect = std::get_if<protocol::Connect>(&packet)) {
        if (connect->username || connect->password) {
            connection.credentials_in_clear = true;
            std::string text = fmt::format("credentials in clear: client '{}'", connect->client_id);
            if (connect->username)
                text += fmt::format(" sent username '{}'", printable_text(*connect->username));
            if (connect->password) {
                text += fmt::format("{} password {}", connect->username ? " and" : " sent",
                                    show_password(*connect->password, options_.show_secrets));
            }
            text +=
                connection.transport == Transport::websocket ? " over plain WebSocket" : " over plain TCP";
            text += ": anyone on the path can read them (use TLS)";
            report(connection, FindingKind::credentials_in_clear, time, std::move(text));
        }
    }
    if (const auto* publish = std::get_if<protocol::Publish>(&packet); publish && !state.readable_reported) {
        state.readable_reported = true;
        report(connection, FindingKind::readable_traffic, time,
               fmt::format("topics and payloads readable: PUBLISH '{}' ({} bytes of payload) from the {}, "
                           "and every later message of this connection",
                           printable_text(publish->topic), publish->payload.size(), side(direction)));
    }
}

void Analyzer::on_tls_observation(State& state, Direction direction, const TlsObservation& seen,
                                  Micros time) {
    Connection& connection = state.connection;
    switch (seen.kind) {
        case TlsObservation::Kind::client_hello:
            connection.tls_sni = seen.sni;
            break;
        case TlsObservation::Kind::server_hello:
            connection.tls_version = seen.version;
            connection.tls_cipher = seen.cipher;
            break;
        case TlsObservation::Kind::certificate:
            connection.certificate_subjects.insert(connection.certificate_subjects.end(),
                                                   seen.subjects.begin(), seen.subjects.end());
            break;
        case TlsObservation::Kind::encrypted:
            ++connection.encrypted_records;
            connection.encrypted_bytes += seen.bytes;
            break;
        default:
            break;
    }
    sink_.tls(TlsEvent{time, connection, direction, seen});
    if (seen.kind == TlsObservation::Kind::server_hello) {
        report(
            connection, FindingKind::tls_session, time,
            fmt::format("TLS session: {}, cipher {}, SNI {}: the MQTT inside is not readable", seen.version,
                        seen.cipher, connection.tls_sni.empty() ? "(none)" : "'" + connection.tls_sni + "'"));
    }
    if (seen.kind == TlsObservation::Kind::certificate && !seen.subjects.empty()) {
        std::string subjects;
        for (const auto& subject : seen.subjects)
            subjects += (subjects.empty() ? "'" : ", '") + subject + "'";
        report(connection, FindingKind::certificate_in_clear, time,
               fmt::format("certificate{} sent in clear by the {} (TLS 1.2 and older show them): {}",
                           seen.subjects.size() == 1 ? "" : "s", side(direction), subjects));
    }
}

bool Analyzer::give_up(State& state, Micros time, std::string problem) {
    state.done = true;
    state.pending[0].clear();
    state.pending[1].clear();
    state.connection.problem = problem;
    auto kind =
        state.connection.transport == Transport::not_mqtt ? FindingKind::not_mqtt : FindingKind::malformed;
    report(state.connection, kind, time, std::move(problem));
    return false;
}

void Analyzer::report(const Connection& connection, FindingKind kind, Micros time, std::string text) {
    ++summary_.findings[kind];
    sink_.finding(Finding{time, connection, kind, std::move(text)});
}

}  // namespace culex::sniff
