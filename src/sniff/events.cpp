#include "sniff/events.hpp"

namespace culex::sniff {

Verdict verdict_of(const Connection& connection) {
    switch (connection.transport) {
        case Transport::tls:
            return Verdict::encrypted;
        case Transport::mqtt:
        case Transport::websocket:
            return connection.mqtt_packets > 0 ? Verdict::readable : Verdict::not_mqtt;
        case Transport::not_mqtt:
            return Verdict::not_mqtt;
        case Transport::unknown:
            return Verdict::no_data;
    }
    return Verdict::no_data;
}

std::string_view to_string(Verdict verdict) {
    switch (verdict) {
        case Verdict::readable:
            return "readable";
        case Verdict::encrypted:
            return "encrypted";
        case Verdict::not_mqtt:
            return "not MQTT";
        case Verdict::no_data:
            return "no data";
    }
    return "?";
}

std::string_view to_string(FindingKind kind) {
    switch (kind) {
        case FindingKind::credentials_in_clear:
            return "credentials in clear";
        case FindingKind::readable_traffic:
            return "readable topics and payloads";
        case FindingKind::tls_session:
            return "TLS session";
        case FindingKind::certificate_in_clear:
            return "certificates in clear";
        case FindingKind::not_mqtt:
            return "not MQTT";
        case FindingKind::malformed:
            return "malformed MQTT";
    }
    return "?";
}

std::string_view to_string(Transport transport) {
    switch (transport) {
        case Transport::unknown:
            return "unknown";
        case Transport::mqtt:
            return "mqtt";
        case Transport::websocket:
            return "mqtt-websocket";
        case Transport::tls:
            return "tls";
        case Transport::not_mqtt:
            return "not-mqtt";
    }
    return "?";
}

std::string_view to_string(CloseReason reason) {
    switch (reason) {
        case CloseReason::closed:
            return "closed";
        case CloseReason::timed_out:
            return "timed out";
        case CloseReason::gave_up:
            return "gave up: data missing";
        case CloseReason::end_of_capture:
            return "open at end of capture";
    }
    return "?";
}

}  // namespace culex::sniff
