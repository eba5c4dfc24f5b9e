// --json: one JSON object per line (packets, TLS records, findings, verdicts, the summary last), each with a
// "kind" key, for scripts.
#include <nlohmann/json.hpp>

#include "sniff/output.hpp"
#include "sniff/printable.hpp"

namespace culex::sniff {

namespace {

using nlohmann::json;

double seconds(Micros time) {
    return static_cast<double>(time.count()) / 1e6;
}

class JsonOutput : public EventSink {
  public:
    JsonOutput(LineWriter& out, const OutputOptions& options) : out_(out), options_(options) {}

    void packet(const PacketEvent& event) override {
        if (options_.quiet) return;
        const auto& d = options_.describe;
        json object = base("packet", event.connection, event.time);
        object["direction"] = field_value(Field::direction, event, d);
        object["type"] = field_value(Field::type, event, d);
        object["size"] = event.size;
        if (const auto* connect = std::get_if<protocol::Connect>(&event.packet)) {
            object["version"] = field_value(Field::version, event, d);
            if (connect->username) object["username"] = *connect->username;
            if (connect->password) object["password"] = field_value(Field::password, event, d);
            if (connect->will) object["will_topic"] = connect->will->topic;
        }
        if (const auto* publish = std::get_if<protocol::Publish>(&event.packet)) {
            object["topic"] = publish->topic;
            object["qos"] = static_cast<int>(publish->qos);
            object["retain"] = publish->retain;
            object["dup"] = publish->dup;
            auto payload = publish->payload.view();
            if (is_printable(payload)) {
                object["payload"] = payload;
            } else {
                object["payload_hex"] = hex(payload);
            }
            object["payload_len"] = payload.size();
        } else {
            auto topics = field_value(Field::topic, event, d);
            if (!topics.empty()) object["filters"] = topics;
        }
        auto id = field_value(Field::packet_id, event, d);
        if (!id.empty()) object["packet_id"] = std::stoi(id);
        auto reason = field_value(Field::reason, event, d);
        if (!reason.empty()) object["reason"] = reason;
        auto properties = field_value(Field::properties, event, d);
        if (!properties.empty()) object["properties"] = properties;
        write(object);
    }

    void tls(const TlsEvent& event) override {
        if (options_.quiet) return;
        const auto& o = event.observation;
        json object = base("tls", event.connection, event.time);
        object["direction"] = event.direction == Direction::to_broker ? "to-broker" : "to-client";
        object["text"] = tls_text(o);
        object["bytes"] = o.bytes;
        if (o.kind == TlsObservation::Kind::client_hello) object["sni"] = o.sni;
        if (o.kind == TlsObservation::Kind::server_hello) {
            object["version"] = o.version;
            object["cipher"] = o.cipher;
        }
        if (o.kind == TlsObservation::Kind::certificate) object["subjects"] = o.subjects;
        object["readable"] = o.kind != TlsObservation::Kind::encrypted;
        write(object);
    }

    void finding(const Finding& finding) override {
        json object = base("finding", finding.connection, finding.time);
        object["finding"] = to_string(finding.kind);
        object["text"] = finding.text;
        write(object);
    }

    void verdict(const Connection& connection, Verdict verdict, CloseReason reason, Micros time) override {
        json object = base("verdict", connection, time);
        object["verdict"] = to_string(verdict);
        object["transport"] = to_string(connection.transport);
        object["text"] = verdict_text(connection, verdict, reason);
        object["mqtt_packets"] = connection.mqtt_packets;
        object["publishes"] = connection.publishes;
        object["credentials_in_clear"] = connection.credentials_in_clear;
        if (connection.transport == Transport::tls) {
            object["tls_version"] = connection.tls_version;
            object["cipher"] = connection.tls_cipher;
            object["sni"] = connection.tls_sni;
            object["certificate_subjects"] = connection.certificate_subjects;
            object["encrypted_bytes"] = connection.encrypted_bytes;
        }
        write(object);
    }

    void summary(const Summary& s) override {
        json object{{"kind", "summary"},
                    {"frames", s.frames},
                    {"tcp_segments", s.tcp_segments},
                    {"connections", s.connections},
                    {"mqtt_packets", s.mqtt_packets},
                    {"packets", s.packets_by_type},
                    {"interrupted", s.interrupted}};
        json findings = json::object();
        for (const auto& [kind, count] : s.findings)
            findings[std::string(to_string(kind))] = count;
        object["findings"] = findings;
        json verdicts = json::object();
        for (const auto& [verdict, count] : s.verdicts)
            verdicts[std::string(to_string(verdict))] = count;
        object["verdicts"] = verdicts;
        write(object);
        out_.flush();
    }

  private:
    static json base(std::string_view kind, const Connection& connection, Micros time) {
        return json{{"kind", kind},
                    {"time", seconds(time)},
                    {"connection", connection.id},
                    {"client", connection.endpoints.client},
                    {"broker", connection.endpoints.broker},
                    {"clientid", connection.client_id}};
    }

    void write(const json& object) {
        // Binary topics or ids must not abort the output: invalid UTF-8 becomes U+FFFD.
        out_.line(object.dump(-1, ' ', false, json::error_handler_t::replace));
    }

    LineWriter& out_;
    OutputOptions options_;
};

}  // namespace

std::unique_ptr<EventSink> make_json_output(const OutputOptions& options, LineWriter& out) {
    return std::make_unique<JsonOutput>(out, options);
}

}  // namespace culex::sniff
