// The words of the text output, shared by every output format: a packet's details, a TLS record, a verdict,
// the capture time.
#pragma once

#include <string>

#include "sniff/events.hpp"

namespace culex::sniff {

struct DescribeOptions {
    bool show_secrets = false;
    std::size_t max_payload = 256;  // bytes of payload shown in text; 0: all
};

// "HH:MM:SS.uuuuuu" in local time.
std::string clock_time(Micros time);
// "1700000000.123456"
std::string epoch_time(Micros time);

// "3.1", "3.1.1", "5.0"
std::string_view version_name(protocol::ProtocolVersion version);

// Everything after the packet type on a text line: "'cheese/strudel' q1 r0 d0 m17 payload 'hello' (5 bytes)".
std::string packet_details(const protocol::Packet& packet, const DescribeOptions& options);

// "ServerHello: TLS 1.3, cipher TLS_AES_256_GCM_SHA384", "517 bytes of application data: not readable".
std::string tls_text(const TlsObservation& observation);

// "readable: MQTT 3.1.1 in clear, 6 packets (2 PUBLISH), credentials in clear".
std::string verdict_text(const Connection& connection, Verdict verdict, CloseReason reason);

// "client 127.0.0.1:50312 -> broker 127.0.0.1:1883" seen from `direction`.
std::string route(const Connection& connection, Direction direction);

}  // namespace culex::sniff
