#include "sniff/text_output.hpp"

#include <fmt/format.h>

#include "sniff/printable.hpp"

namespace culex::sniff {

namespace {
// The summary repeats this many findings and verdicts; a capture of thousands of connections gets a count.
constexpr std::size_t kSummaryLines = 100;

std::string client_label(const Connection& connection) {
    if (connection.client_id.empty()) return "";
    return " [" + printable_text(connection.client_id) + "]";
}
}  // namespace

void TextOutput::packet(const PacketEvent& event) {
    if (!packets_) return;
    std::string& line = out_.buffer();
    line += clock_time(event.time);
    line += ' ';
    line += route(event.connection, event.direction);
    line += client_label(event.connection);
    line += ' ';
    line += protocol::to_string(protocol::type_of(event.packet));
    auto details = packet_details(event.packet, options_.describe);
    if (!details.empty() && details.front() != ' ') line += ' ';
    line += details;
    out_.end_line();
}

void TextOutput::tls(const TlsEvent& event) {
    if (!packets_) return;
    out_.line(fmt::format("{} {} TLS {}", clock_time(event.time), route(event.connection, event.direction),
                          tls_text(event.observation)));
}

void TextOutput::finding(const Finding& finding) {
    const auto& e = finding.connection.endpoints;
    out_.line(
        fmt::format("{} {} -> {} FINDING {}", clock_time(finding.time), e.client, e.broker, finding.text));
    remember(findings_, findings_dropped_, fmt::format("{} -> {}: {}", e.client, e.broker, finding.text));
}

void TextOutput::verdict(const Connection& connection, Verdict verdict, CloseReason reason, Micros time) {
    const auto& e = connection.endpoints;
    auto text = verdict_text(connection, verdict, reason);
    out_.line(fmt::format("{} {} -> {}{} VERDICT {}", clock_time(time), e.client, e.broker,
                          client_label(connection), text));
    remember(verdicts_, verdicts_dropped_,
             fmt::format("{} -> {}{}: {}", e.client, e.broker, client_label(connection), text));
}

void TextOutput::summary(const Summary& s) {
    out_.line(fmt::format("--- culex sniff summary{} ---", s.interrupted ? " (capture stopped)" : ""));
    std::string types;
    for (const auto& [name, count] : s.packets_by_type)
        types += fmt::format("{}{} {}", types.empty() ? ": " : ", ", name, count);
    out_.line(fmt::format("{} frames, {} TCP segments, {} connections, {} MQTT packets{}", s.frames,
                          s.tcp_segments, s.connections, s.mqtt_packets, types));
    std::uint64_t total_findings = 0;
    for (const auto& [kind, count] : s.findings)
        total_findings += count;
    out_.line(fmt::format("Findings: {}", total_findings));
    for (const auto& line : findings_)
        out_.line("  " + line);
    if (findings_dropped_) out_.line(fmt::format("  ... and {} more", findings_dropped_));
    std::string counts;
    for (const auto& [verdict, count] : s.verdicts) {
        counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", count, to_string(verdict));
    }
    out_.line(fmt::format("Verdicts: {}", counts.empty() ? "no connections" : counts));
    for (const auto& line : verdicts_)
        out_.line("  " + line);
    if (verdicts_dropped_) out_.line(fmt::format("  ... and {} more", verdicts_dropped_));
    out_.flush();
}

void TextOutput::remember(std::vector<std::string>& list, std::uint64_t& dropped, std::string line) {
    if (list.size() < kSummaryLines) {
        list.push_back(std::move(line));
    } else {
        ++dropped;
    }
}

}  // namespace culex::sniff
