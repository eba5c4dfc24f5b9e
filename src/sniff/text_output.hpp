// The text output: a line per MQTT packet and TLS record, findings and verdicts as they happen, and a summary
// that repeats the findings and verdicts at the end. With `packets` false it is the report that goes with the
// fields output (on stderr).
#pragma once

#include <string>
#include <vector>

#include "sniff/output.hpp"

namespace culex::sniff {

class TextOutput : public EventSink {
  public:
    TextOutput(LineWriter& out, const OutputOptions& options, bool packets)
        : out_(out), options_(options), packets_(packets && !options.quiet) {}

    void packet(const PacketEvent& event) override;
    void tls(const TlsEvent& event) override;
    void finding(const Finding& finding) override;
    void verdict(const Connection& connection, Verdict verdict, CloseReason reason, Micros time) override;
    void summary(const Summary& summary) override;

  private:
    void remember(std::vector<std::string>& list, std::uint64_t& dropped, std::string line);

    LineWriter& out_;
    OutputOptions options_;
    bool packets_;
    std::vector<std::string> findings_;
    std::vector<std::string> verdicts_;
    std::uint64_t findings_dropped_ = 0;
    std::uint64_t verdicts_dropped_ = 0;
};

}  // namespace culex::sniff
