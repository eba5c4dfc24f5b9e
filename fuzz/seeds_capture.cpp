// Seeds for sniff's targets, built from the formats' own rules: TCP/IP frames of one MQTT connection (for
// sniff_reassembly_fuzz), TLS records of a handshake with a real certificate (tls_records_fuzz), and
// WebSocket upgrades and frames (websocket_fuzz).
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <string>

#include "protocol/codec.hpp"
#include "seeds.hpp"

namespace culex::fuzz {

namespace {

using namespace culex::protocol;

void put16(std::string& out, std::uint32_t v) {
    out += static_cast<char>((v >> 8) & 0xFF);
    out += static_cast<char>(v & 0xFF);
}
void put24(std::string& out, std::uint32_t v) {
    out += static_cast<char>((v >> 16) & 0xFF);
    put16(out, v);
}
void put32(std::string& out, std::uint32_t v) {
    put16(out, v >> 16);
    put16(out, v);
}

std::string encoded(const Packet& packet) {
    std::string out;
    encode(packet, ProtocolVersion::v311, out);
    return out;
}

std::string connect_bytes() {
    Connect connect;
    connect.version = ProtocolVersion::v311;
    connect.client_id = "sniffed";
    return encoded(connect);
}

// --- TCP/IP ---

constexpr std::uint8_t kSyn = 0x02, kAck = 0x10, kPsh = 0x08, kFin = 0x01;

struct Peer {
    std::uint8_t address;  // 127.0.0.X
    std::uint16_t port;
    std::uint32_t seq;
};

// An Ethernet frame holding IPv4 and TCP; checksums are left zero, as captures with offloading have them.
std::string ethernet_tcp(const Peer& from, const Peer& to, std::uint8_t flags, const std::string& payload) {
    std::string frame(12, '\x02');
    put16(frame, 0x0800);
    std::string ip;
    ip += '\x45';
    ip += '\0';
    put16(ip, static_cast<std::uint32_t>(20 + 20 + payload.size()));
    put16(ip, 1);       // identification
    put16(ip, 0x4000);  // don't fragment
    ip += '\x40';       // TTL
    ip += '\x06';       // TCP
    put16(ip, 0);
    for (std::uint8_t a : {std::uint8_t{127}, std::uint8_t{0}, std::uint8_t{0}, from.address})
        ip += static_cast<char>(a);
    for (std::uint8_t a : {std::uint8_t{127}, std::uint8_t{0}, std::uint8_t{0}, to.address})
        ip += static_cast<char>(a);
    std::string tcp;
    put16(tcp, from.port);
    put16(tcp, to.port);
    put32(tcp, from.seq);
    put32(tcp, to.seq);
    tcp += '\x50';  // 5 words, no options
    tcp += static_cast<char>(flags);
    put16(tcp, 65535);
    put16(tcp, 0);
    put16(tcp, 0);
    return frame + ip + tcp + payload;
}

// One frame of the fuzz input: [seconds since the previous one][length][frame].
void add_frame(std::string& input, std::uint8_t seconds, const std::string& frame) {
    input += static_cast<char>(seconds);
    put16(input, static_cast<std::uint32_t>(frame.size()));
    input += frame;
}

// --- TLS ---

std::string record(std::uint8_t type, const std::string& body) {
    std::string out;
    out += static_cast<char>(type);
    put16(out, 0x0303);
    put16(out, static_cast<std::uint32_t>(body.size()));
    return out + body;
}

std::string handshake(std::uint8_t type, const std::string& body) {
    std::string out;
    out += static_cast<char>(type);
    put24(out, static_cast<std::uint32_t>(body.size()));
    return out + body;
}

std::string client_hello(const std::string& sni) {
    std::string body;
    put16(body, 0x0303);
    body += std::string(32, '\x11');
    body += '\0';  // no session id
    put16(body, 4);
    put16(body, 0x1302);
    put16(body, 0xC02F);
    body += '\x01';
    body += '\0';
    std::string names;
    names += '\0';  // host_name
    put16(names, static_cast<std::uint32_t>(sni.size()));
    names += sni;
    std::string ext;
    put16(ext, 0);  // server_name
    put16(ext, static_cast<std::uint32_t>(names.size() + 2));
    put16(ext, static_cast<std::uint32_t>(names.size()));
    ext += names;
    put16(body, static_cast<std::uint32_t>(ext.size()));
    return handshake(1, body + ext);
}

std::string server_hello(bool tls13) {
    std::string body;
    put16(body, 0x0303);
    body += std::string(32, '\x22');
    body += '\0';
    put16(body, tls13 ? 0x1302 : 0xC02F);
    body += '\0';
    std::string ext;
    if (tls13) {
        put16(ext, 43);  // supported_versions
        put16(ext, 2);
        put16(ext, 0x0304);
    }
    put16(body, static_cast<std::uint32_t>(ext.size()));
    return handshake(2, body + ext);
}

// A small self-signed certificate, DER, so that the Certificate message carries something X.509 can read.
std::string certificate_der() {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    if (!key || !cert) return {};
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("broker"), -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Lab"), -1, -1,
                               0);
    X509_set_issuer_name(cert.get(), name);
    X509_set_pubkey(cert.get(), key.get());
    X509_sign(cert.get(), key.get(), EVP_sha256());
    unsigned char* der = nullptr;
    int size = i2d_X509(cert.get(), &der);
    if (size <= 0) return {};
    std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(size));
    OPENSSL_free(der);
    return out;
}

std::string certificate_message(const std::string& der) {
    std::string entry;
    put24(entry, static_cast<std::uint32_t>(der.size()));
    entry += der;
    std::string body;
    put24(body, static_cast<std::uint32_t>(entry.size()));
    return handshake(11, body + entry);
}

// --- WebSocket ---

std::string ws_frame(const std::string& payload, bool masked) {
    std::string out;
    out += '\x82';  // FIN, binary
    std::uint8_t mask_bit = masked ? 0x80 : 0;
    if (payload.size() < 126) {
        out += static_cast<char>(mask_bit | payload.size());
    } else {
        out += static_cast<char>(mask_bit | 126);
        put16(out, static_cast<std::uint32_t>(payload.size()));
    }
    if (!masked) return out + payload;
    const char mask[4] = {'\x37', '\xFA', '\x21', '\x3D'};
    out.append(mask, 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        out += static_cast<char>(payload[i] ^ mask[i % 4]);
    return out;
}

}  // namespace

void write_reassembly_seeds(const std::string& dir) {
    Peer client{1, 50312, 1000};
    Peer broker{2, 1883, 5000};
    std::string mqtt = connect_bytes();
    std::string connack = encoded(Connack{false, ReasonCode::success, {}});
    for (std::uint8_t setup : {std::uint8_t{0x10}, std::uint8_t{0x00}}) {
        std::string in(1, static_cast<char>(setup));  // Ethernet; 0x10: broker ports 1883 and 8883 given
        Peer c = client, b = broker;
        add_frame(in, 0, ethernet_tcp(c, b, kSyn, ""));
        ++c.seq;
        add_frame(in, 0, ethernet_tcp(b, c, kSyn | kAck, ""));
        ++b.seq;
        add_frame(in, 0, ethernet_tcp(c, b, kAck, ""));
        // The CONNECT in two segments, the second one first: reassembly must put them in order.
        std::string first = mqtt.substr(0, 5), second = mqtt.substr(5);
        Peer later = c;
        later.seq += static_cast<std::uint32_t>(first.size());
        add_frame(in, 1, ethernet_tcp(later, b, kAck | kPsh, second));
        add_frame(in, 0, ethernet_tcp(c, b, kAck | kPsh, first));
        c.seq += static_cast<std::uint32_t>(mqtt.size());
        add_frame(in, 0, ethernet_tcp(b, c, kAck | kPsh, connack));
        b.seq += static_cast<std::uint32_t>(connack.size());
        add_frame(in, 0, ethernet_tcp(c, b, kAck | kPsh, connack));  // a retransmission-sized segment
        add_frame(in, 2, ethernet_tcp(c, b, kFin | kAck, ""));
        add_frame(in, 0, ethernet_tcp(b, c, kFin | kAck, ""));
        write_file(dir + "/mqtt-connection-" + std::to_string(setup), in);
    }
    // Joining late: data with no handshake, then a long silence (stream timeouts).
    std::string late(1, '\x10');
    add_frame(late, 0, ethernet_tcp(client, broker, kAck | kPsh, mqtt));
    add_frame(late, 250, ethernet_tcp(broker, client, kAck | kPsh, connack));
    add_frame(late, 250, ethernet_tcp(client, broker, kAck | kPsh, mqtt));
    write_file(dir + "/partial-stream", late);
}

void write_tls_seeds(const std::string& dir) {
    std::string hello = record(22, client_hello("broker.lab"));
    write_file(dir + "/client-hello", hello);
    std::string server12 = record(22, server_hello(false)) +
                           record(22, certificate_message(certificate_der())) + record(20, "\x01") +
                           record(22, std::string(40, '\x5A'));
    write_file(dir + "/server-tls12", server12);
    std::string server13 = record(22, server_hello(true)) + record(20, "\x01") +
                           record(23, std::string(300, '\x33')) + record(21, "\x02\x28");
    write_file(dir + "/server-tls13", server13);
    // A ClientHello split over two records, then an alert in clear.
    std::string message = client_hello("split.example");
    std::string split =
        record(22, message.substr(0, 20)) + record(22, message.substr(20)) + record(21, "\x02\x28");
    write_file(dir + "/client-hello-split", split);
}

void write_websocket_seeds(const std::string& dir) {
    std::string request =
        "GET /mqtt HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n";
    std::string mqtt = connect_bytes();
    write_file(dir + "/from-client", "\x02" + request + ws_frame(mqtt, true) + ws_frame(mqtt, true));
    std::string response =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Protocol: mqtt\r\n\r\n";
    std::string connack = encoded(Connack{false, ReasonCode::success, {}});
    write_file(dir + "/from-broker", std::string(1, '\0') + response + ws_frame(connack, false) +
                                         ws_frame(std::string(200, 'p'), false));
    // Round-trip mode: [style][length][bytes] per MQTT message.
    std::string round = "\x01";
    for (std::uint8_t style :
         {std::uint8_t{0x00}, std::uint8_t{0x01}, std::uint8_t{0x53}, std::uint8_t{0x35}}) {
        round += static_cast<char>(style);
        round += static_cast<char>(mqtt.size());
        round += mqtt;
    }
    write_file(dir + "/round-trip", round);
}

}  // namespace culex::fuzz
