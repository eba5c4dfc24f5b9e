#include "sniff/describe.hpp"

#include <fmt/format.h>

#include <ctime>

#include "sniff/printable.hpp"

namespace culex::sniff {

namespace {

using namespace culex::protocol;

std::string reason_suffix(ReasonCode reason) {
    if (reason == ReasonCode::success) return "";
    return fmt::format(" reason {} (0x{:02x})", to_string(reason), static_cast<int>(reason));
}

std::string with_properties(std::string text, const Properties& properties) {
    auto props = properties_text(properties);
    if (!props.empty()) text += " [" + props + "]";
    return text;
}

struct Details {
    const DescribeOptions& options;

    std::string operator()(const Connect& c) const {
        std::string text =
            fmt::format("MQTT {} client id '{}' clean {} keep alive {}", version_name(c.version),
                        printable_text(c.client_id), c.clean_start ? 1 : 0, c.keep_alive);
        if (c.username) text += fmt::format(" username '{}'", printable_text(*c.username));
        if (c.password) text += " password " + show_password(*c.password, options.show_secrets);
        if (c.will) {
            text += fmt::format(" will '{}' q{} r{} payload {}", printable_text(c.will->topic),
                                static_cast<int>(c.will->qos), c.will->retain ? 1 : 0,
                                payload_text(c.will->payload.view(), options.max_payload));
        }
        return with_properties(std::move(text), c.properties);
    }
    std::string operator()(const Connack& c) const {
        return with_properties(
            fmt::format("session present {} reason {}", c.session_present ? 1 : 0, to_string(c.reason)),
            c.properties);
    }
    std::string operator()(const Publish& p) const {
        std::string text = fmt::format("'{}' q{} r{} d{}", printable_text(p.topic), static_cast<int>(p.qos),
                                       p.retain ? 1 : 0, p.dup ? 1 : 0);
        if (p.qos != QoS::at_most_once) text += fmt::format(" m{}", p.packet_id);
        text += " payload " + payload_text(p.payload.view(), options.max_payload);
        return with_properties(std::move(text), *p.properties);
    }
    template <PacketType Type>
    std::string operator()(const PublishResponse<Type>& r) const {
        return with_properties(fmt::format("m{}{}", r.packet_id, reason_suffix(r.reason)), r.properties);
    }
    std::string operator()(const Subscribe& s) const {
        std::string text = fmt::format("m{}", s.packet_id);
        for (const auto& sub : s.subscriptions) {
            text += fmt::format(" '{}' (QoS {})", printable_text(sub.filter), static_cast<int>(sub.max_qos));
        }
        return with_properties(std::move(text), s.properties);
    }
    std::string operator()(const Suback& s) const {
        std::string text = fmt::format("m{}", s.packet_id);
        for (auto reason : s.reasons)
            text += fmt::format(" {}", to_string(reason));
        return with_properties(std::move(text), s.properties);
    }
    std::string operator()(const Unsubscribe& u) const {
        std::string text = fmt::format("m{}", u.packet_id);
        for (const auto& filter : u.filters)
            text += fmt::format(" '{}'", printable_text(filter));
        return with_properties(std::move(text), u.properties);
    }
    std::string operator()(const Unsuback& u) const {
        std::string text = fmt::format("m{}", u.packet_id);
        for (auto reason : u.reasons)
            text += fmt::format(" {}", to_string(reason));
        return with_properties(std::move(text), u.properties);
    }
    std::string operator()(const Pingreq&) const { return ""; }
    std::string operator()(const Pingresp&) const { return ""; }
    std::string operator()(const Disconnect& d) const {
        return with_properties(reason_suffix(d.reason), d.properties);
    }
    std::string operator()(const Auth& a) const {
        return with_properties(fmt::format("reason {}", to_string(a.reason)), a.properties);
    }
};

}  // namespace

std::string clock_time(Micros time) {
    auto count = time.count();
    std::time_t seconds = static_cast<std::time_t>(count / 1'000'000);
    std::tm local{};
    localtime_r(&seconds, &local);
    return fmt::format("{:02}:{:02}:{:02}.{:06}", local.tm_hour, local.tm_min, local.tm_sec,
                       count % 1'000'000);
}

std::string epoch_time(Micros time) {
    auto count = time.count();
    return fmt::format("{}.{:06}", count / 1'000'000, count % 1'000'000);
}

std::string_view version_name(protocol::ProtocolVersion version) {
    switch (version) {
        case ProtocolVersion::v31:
            return "3.1";
        case ProtocolVersion::v311:
            return "3.1.1";
        case ProtocolVersion::v5:
            return "5.0";
    }
    return "?";
}

std::string packet_details(const protocol::Packet& packet, const DescribeOptions& options) {
    return std::visit(Details{options}, packet);
}

std::string tls_text(const TlsObservation& o) {
    using Kind = TlsObservation::Kind;
    switch (o.kind) {
        case Kind::client_hello:
            return fmt::format("ClientHello, SNI {}", o.sni.empty() ? "(none)" : "'" + o.sni + "'");
        case Kind::server_hello:
            return fmt::format("ServerHello: {}, cipher {}", o.version, o.cipher);
        case Kind::certificate: {
            std::string text = "Certificate (in clear):";
            for (const auto& subject : o.subjects)
                text += " '" + subject + "'";
            return text;
        }
        case Kind::change_cipher_spec:
            return "ChangeCipherSpec";
        case Kind::alert:
            return "Alert: " + o.text;
        case Kind::encrypted:
            return fmt::format("{} bytes of application data: not readable", o.bytes);
    }
    return "?";
}

std::string verdict_text(const Connection& c, Verdict verdict, CloseReason reason) {
    std::string text(to_string(verdict));
    switch (verdict) {
        case Verdict::readable:
            text += fmt::format(": MQTT {} in clear{}, {} packets ({} PUBLISH)",
                                c.version ? version_name(*c.version) : "(version unknown)",
                                c.transport == Transport::websocket ? " over WebSocket" : "", c.mqtt_packets,
                                c.publishes);
            if (c.credentials_in_clear) text += ", credentials in clear";
            break;
        case Verdict::encrypted:
            text += fmt::format(": {}{}{}, {} bytes in {} encrypted records not readable",
                                c.tls_version.empty() ? "TLS" : c.tls_version,
                                c.tls_cipher.empty() ? "" : ", " + c.tls_cipher,
                                c.tls_sni.empty() ? "" : ", SNI '" + c.tls_sni + "'", c.encrypted_bytes,
                                c.encrypted_records);
            break;
        case Verdict::not_mqtt:
        case Verdict::no_data:
            if (!c.problem.empty()) text += ": " + c.problem;
            break;
    }
    if (!c.problem.empty() && verdict != Verdict::not_mqtt && verdict != Verdict::no_data) {
        text += "; " + c.problem;
    }
    return text + fmt::format(" ({})", to_string(reason));
}

std::string route(const Connection& connection, Direction direction) {
    const auto& e = connection.endpoints;
    if (direction == Direction::to_broker) return fmt::format("{} -> {}", e.client, e.broker);
    return fmt::format("{} <- {}", e.client, e.broker);
}

}  // namespace culex::sniff
