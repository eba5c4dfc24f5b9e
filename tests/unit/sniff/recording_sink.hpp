// An EventSink that keeps copies of what it is told, for assertions.
#pragma once

#include <string>
#include <vector>

#include "sniff/events.hpp"

namespace culex::sniff::testing {

class RecordingSink : public EventSink {
  public:
    struct Packet {
        Direction direction;
        protocol::Packet packet;
        std::string client_id;  // the connection's, when the packet was reported
        std::size_t size;
    };
    struct VerdictSeen {
        Verdict verdict;
        Connection connection;
    };

    void packet(const PacketEvent& e) override {
        packets.push_back({e.direction, e.packet, e.connection.client_id, e.size});
    }
    void tls(const TlsEvent& e) override { tls_records.push_back(e.observation); }
    void finding(const Finding& f) override { findings.push_back({f.kind, f.text}); }
    void verdict(const Connection& c, Verdict v, CloseReason, Micros) override { verdicts.push_back({v, c}); }
    void summary(const Summary&) override {}

    template <typename T>
    std::vector<T> packets_of() const {
        std::vector<T> out;
        for (const auto& p : packets) {
            if (const auto* typed = std::get_if<T>(&p.packet)) out.push_back(*typed);
        }
        return out;
    }
    std::vector<std::string> findings_of(FindingKind kind) const {
        std::vector<std::string> out;
        for (const auto& [k, text] : findings) {
            if (k == kind) out.push_back(text);
        }
        return out;
    }

    std::vector<Packet> packets;
    std::vector<TlsObservation> tls_records;
    std::vector<std::pair<FindingKind, std::string>> findings;
    std::vector<VerdictSeen> verdicts;
};

}  // namespace culex::sniff::testing
