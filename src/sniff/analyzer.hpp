// The analysis of reassembled streams: tells MQTT from TLS from anything else, decodes MQTT with the
// project's codec (remembering each connection's version and client id), reads what TLS leaves in clear,
// raises security findings as they are seen and gives each connection a verdict when it ends. Reports
// everything to an EventSink.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "sniff/events.hpp"
#include "sniff/reassembler.hpp"

namespace culex::sniff {

struct AnalyzerOptions {
    bool show_secrets = false;
    // A larger MQTT packet is reported and its stream skipped: garbage that looks like a length must not make
    // the sniffer buffer a whole capture.
    std::uint32_t max_packet_size = 64 * 1024 * 1024;
};

class Analyzer : public StreamHandler {
  public:
    Analyzer(EventSink& sink, AnalyzerOptions options);
    ~Analyzer() override;

    void on_open(ConnectionId id, const Endpoints& endpoints, Micros time) override;
    bool on_data(ConnectionId id, Direction direction, std::string_view bytes, Micros time) override;
    void on_close(ConnectionId id, CloseReason reason, Micros time) override;

    // Counts so far; the frame and segment counts are the caller's to fill in.
    Summary& summary();

  private:
    struct State;
    bool classify(State& state, Direction direction, std::string_view bytes, Micros time);
    bool on_mqtt_bytes(State& state, Direction direction, std::string_view bytes, Micros time);
    bool on_tls_bytes(State& state, Direction direction, std::string_view bytes, Micros time);
    bool on_websocket_bytes(State& state, Direction direction, std::string_view bytes, Micros time);
    void resolve_alias(State& state, Direction direction, protocol::Publish& publish);
    void on_packet(State& state, Direction direction, const protocol::Packet& packet, std::size_t size,
                   Micros time);
    void on_tls_observation(State& state, Direction direction, const TlsObservation& seen, Micros time);
    bool fail_mqtt(State& state, Direction direction, std::string_view at, Micros time,
                   const std::string& why);
    bool give_up(State& state, Micros time, std::string problem);
    void report(const Connection& connection, FindingKind kind, Micros time, std::string text);

    EventSink& sink_;
    AnalyzerOptions options_;
    Summary summary_;
    // By packet type number; named into summary_.packets_by_type only when asked (no string per packet).
    std::array<std::uint64_t, 16> packets_by_type_{};
    std::unordered_map<ConnectionId, std::unique_ptr<State>> states_;
};

}  // namespace culex::sniff
