// tshark's -T fields: one line per MQTT packet with the chosen fields; the findings, verdicts and summary go
// to stderr so that stdout stays a clean table for scripts.
#include "sniff/output.hpp"
#include "sniff/text_output.hpp"

namespace culex::sniff {

namespace {

class FieldsOutput : public EventSink {
  public:
    FieldsOutput(LineWriter& out, LineWriter& err, const OutputOptions& options)
        : out_(out), options_(options), report_(err, options, false) {}

    void packet(const PacketEvent& event) override {
        std::string& line = out_.buffer();
        bool first = true;
        for (Field field : options_.fields) {
            if (!first) line += options_.separator;
            first = false;
            line += field_value(field, event, options_.describe);
        }
        out_.end_line();
    }
    void tls(const TlsEvent&) override {}
    void finding(const Finding& finding) override { report_.finding(finding); }
    void verdict(const Connection& connection, Verdict verdict, CloseReason reason, Micros time) override {
        report_.verdict(connection, verdict, reason, time);
    }
    void summary(const Summary& summary) override {
        out_.flush();
        report_.summary(summary);
    }

  private:
    LineWriter& out_;
    OutputOptions options_;
    TextOutput report_;
};

}  // namespace

std::unique_ptr<EventSink> make_fields_output(const OutputOptions& options, LineWriter& out,
                                              LineWriter& err) {
    return std::make_unique<FieldsOutput>(out, err, options);
}

}  // namespace culex::sniff
