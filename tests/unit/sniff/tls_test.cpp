// What TLS leaves in clear, read from hand-made records: SNI, version, cipher suite, TLS 1.2 certificates;
// the rest counted as not readable; and the connection's verdict.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

#include "recording_sink.hpp"
#include "sniff/analyzer.hpp"
#include "sniff/tls_names.hpp"
#include "sniff/tls_records.hpp"

namespace culex::sniff {
namespace {

using testing::RecordingSink;

std::string u8(unsigned v) {
    return std::string(1, static_cast<char>(v));
}
std::string u16(unsigned v) {
    return u8(v >> 8) + u8(v & 0xFF);
}
std::string u24(unsigned v) {
    return u8(v >> 16) + u16(v & 0xFFFF);
}

std::string record(std::uint8_t type, const std::string& body) {
    return u8(type) + u16(0x0303) + u16(body.size()) + body;
}
std::string handshake(std::uint8_t type, const std::string& body) {
    return u8(type) + u24(body.size()) + body;
}

std::string client_hello(const std::string& sni) {
    std::string name = u8(0) + u16(sni.size()) + sni;
    std::string sni_ext = u16(0) + u16(name.size() + 2) + u16(name.size()) + name;
    std::string body = u16(0x0303) + std::string(32, 'r') + u8(0) + u16(4) + u16(0x1302) + u16(0xC02F) +
                       u8(1) + u8(0) + u16(sni_ext.size()) + sni_ext;
    return handshake(1, body);
}

std::string server_hello(std::uint16_t suite, std::optional<std::uint16_t> tls13) {
    std::string extensions;
    if (tls13) extensions = u16(43) + u16(2) + u16(*tls13);
    std::string body =
        u16(0x0303) + std::string(32, 's') + u8(0) + u16(suite) + u8(0) + u16(extensions.size()) + extensions;
    return handshake(2, body);
}

// A self-signed certificate with subject CN=`cn`, DER.
std::string certificate_der(const std::string& cn) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    X509_set_version(cert.get(), 2);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()),
                               -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509_set_pubkey(cert.get(), key.get());
    X509_sign(cert.get(), key.get(), EVP_sha256());
    unsigned char* der = nullptr;
    int size = i2d_X509(cert.get(), &der);
    std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(size));
    OPENSSL_free(der);
    return out;
}

TEST(TlsNames, VersionsAndCipherSuites) {
    EXPECT_EQ(tls_version_name(0x0303), "TLS 1.2");
    EXPECT_EQ(tls_version_name(0x0304), "TLS 1.3");
    EXPECT_EQ(cipher_suite_name(0x1302), "TLS_AES_256_GCM_SHA384");
    EXPECT_EQ(cipher_suite_name(0xC02F), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    EXPECT_EQ(cipher_suite_name(0xFAFA), "0xFAFA");
}

TEST(TlsRecords, Tls12ShowsSniCipherAndCertificateSubjects) {
    TlsRecordReader client, server;
    std::vector<TlsObservation> seen;
    ASSERT_TRUE(client.feed(record(22, client_hello("broker.lab")), seen));
    std::string chain = u24(0);
    std::string certs;
    for (const auto& cn : {"broker.lab", "Lab CA"}) {
        auto der = certificate_der(cn);
        certs += u24(der.size()) + der;
    }
    std::string server_flight = server_hello(0xC02F, std::nullopt) + handshake(11, u24(certs.size()) + certs);
    // The Certificate message spans two records, cut in the middle.
    std::string first = server_flight.substr(0, server_flight.size() / 2);
    std::string second = server_flight.substr(first.size());
    std::string wire =
        record(22, first) + record(22, second) + record(20, u8(1)) + record(22, "encrypted-finished");
    ASSERT_TRUE(server.feed(wire.substr(0, 7), seen));  // a record cut mid-header waits for the rest
    ASSERT_TRUE(server.feed(wire.substr(7), seen));

    ASSERT_GE(seen.size(), 5u);
    EXPECT_EQ(seen[0].kind, TlsObservation::Kind::client_hello);
    EXPECT_EQ(seen[0].sni, "broker.lab");
    EXPECT_EQ(seen[1].kind, TlsObservation::Kind::server_hello);
    EXPECT_EQ(seen[1].version, "TLS 1.2");
    EXPECT_EQ(seen[1].cipher, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    EXPECT_EQ(seen[2].kind, TlsObservation::Kind::certificate);
    EXPECT_EQ(seen[2].subjects, (std::vector<std::string>{"CN=broker.lab", "CN=Lab CA"}));
    EXPECT_EQ(seen[3].kind, TlsObservation::Kind::change_cipher_spec);
    EXPECT_EQ(seen[4].kind, TlsObservation::Kind::encrypted);  // handshake after ChangeCipherSpec
}

TEST(TlsRecords, Tls13SaysSoInSupportedVersions) {
    TlsRecordReader server;
    std::vector<TlsObservation> seen;
    ASSERT_TRUE(
        server.feed(record(22, server_hello(0x1302, 0x0304)) + record(23, std::string(300, 'x')), seen));
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].version, "TLS 1.3");
    EXPECT_EQ(seen[0].cipher, "TLS_AES_256_GCM_SHA384");
    EXPECT_EQ(seen[1].kind, TlsObservation::Kind::encrypted);
    EXPECT_EQ(seen[1].bytes, 300u);
}

TEST(TlsRecords, NotTlsStopsTheReader) {
    TlsRecordReader reader;
    std::vector<TlsObservation> seen;
    EXPECT_FALSE(reader.feed("\x16\x03\x01\xff\xff", seen));  // longer than any record may be
    EXPECT_FALSE(reader.feed(record(23, "x"), seen));
}

TEST(TlsAnalysis, EncryptedConnectionVerdictAndFindings) {
    RecordingSink sink;
    Analyzer analyzer(sink, AnalyzerOptions{});
    analyzer.on_open(1, Endpoints{"127.0.0.1:5000", "127.0.0.1:8883", 8883, false}, Micros(0));
    analyzer.on_data(1, Direction::to_broker, record(22, client_hello("localhost")), Micros(0));
    analyzer.on_data(
        1, Direction::to_client,
        record(22, server_hello(0x1302, 0x0304)) + record(20, u8(1)) + record(23, std::string(50, 'e')),
        Micros(0));
    analyzer.on_data(1, Direction::to_broker, record(23, std::string(40, 'e')), Micros(0));
    analyzer.on_close(1, CloseReason::closed, Micros(0));

    EXPECT_TRUE(sink.packets.empty());
    auto sessions = sink.findings_of(FindingKind::tls_session);
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_NE(sessions[0].find("TLS 1.3"), std::string::npos) << sessions[0];
    EXPECT_NE(sessions[0].find("'localhost'"), std::string::npos) << sessions[0];
    ASSERT_EQ(sink.verdicts.size(), 1u);
    EXPECT_EQ(sink.verdicts[0].verdict, Verdict::encrypted);
    EXPECT_EQ(sink.verdicts[0].connection.encrypted_bytes, 90u);
}

}  // namespace
}  // namespace culex::sniff
