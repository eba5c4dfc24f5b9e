// A certificate as plain data: what `culex pki show`, `culex doctor` and the TLS error explanations read,
// so that none of them has to walk OpenSSL structures themselves.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "pki/handles.hpp"
#include "pki/key.hpp"

namespace culex::pki {

using Clock = std::chrono::system_clock;
using Seconds = std::chrono::sys_seconds;

struct SubjectAltNames {
    std::vector<std::string> dns;
    std::vector<std::string> ip;  // text form: "127.0.0.1", "::1"
    std::vector<std::string> email;
    std::vector<std::string> uri;

    bool empty() const { return dns.empty() && ip.empty() && email.empty() && uri.empty(); }
    // "DNS:broker.lan, IP:127.0.0.1", the way openssl prints them.
    std::string to_string() const;
};

struct BasicConstraints {
    bool ca = false;
    std::optional<long> path_length;
    bool critical = false;
};

struct CertificateSummary {
    int version = 0;  // 1, 2 or 3 (as people count, not the encoded 0..2)
    std::string serial_hex;
    std::string subject;  // "C=FR, O=ISIS, CN=broker"
    std::string issuer;
    std::string subject_cn;  // empty when the subject has no CN
    std::string issuer_cn;
    bool subject_equals_issuer = false;
    bool self_signed = false;  // subject equals issuer and its own key verifies its signature
    Seconds not_before{};
    Seconds not_after{};
    KeyDescription key;
    std::string signature_algorithm;  // "ecdsa-with-SHA256"
    int extension_count = 0;
    std::optional<BasicConstraints> basic_constraints;
    std::optional<std::vector<std::string>> key_usage;  // "Digital Signature", "Certificate Sign", ...
    bool key_usage_critical = false;
    std::optional<std::vector<std::string>> extended_key_usage;  // "TLS Web Server Authentication", ...
    std::optional<SubjectAltNames> subject_alt_names;
    std::string subject_key_id;    // hex with colons; empty when absent
    std::string authority_key_id;  // hex with colons; empty when absent
    std::string sha256_fingerprint;

    bool is_ca() const { return basic_constraints && basic_constraints->ca; }
    bool has_key_usage(const std::string& name) const;
    bool has_extended_key_usage(const std::string& name) const;
};

// Extended key usage names as OpenSSL spells them (OBJ_nid2ln).
inline constexpr const char* kServerAuth = "TLS Web Server Authentication";
inline constexpr const char* kClientAuth = "TLS Web Client Authentication";
// Key usage names as summarize() spells them.
inline constexpr const char* kKeyCertSign = "Certificate Sign";
inline constexpr const char* kCrlSign = "CRL Sign";
inline constexpr const char* kDigitalSignature = "Digital Signature";
inline constexpr const char* kKeyEncipherment = "Key Encipherment";

CertificateSummary summarize(const X509* cert);

// Helpers shared with the CRL and request code.
std::string name_to_string(const X509_NAME* name);
std::string common_name(const X509_NAME* name);
std::optional<Seconds> to_seconds(const ASN1_TIME* time);
std::string format_time(Seconds time);  // "2026-03-01 12:00:00 UTC"
// Parses "2026-03-01", "2026-03-01T12:00:00Z" or "2026-03-01 12:00:00" (UTC).
Result<Seconds> parse_time(std::string_view text);
std::string hex_with_colons(const unsigned char* data, std::size_t size);
std::string serial_to_hex(
    const ASN1_INTEGER* serial);  // upper-case hex, no colons, as openssl prints serials
SubjectAltNames parse_general_names(const GENERAL_NAMES* names);

}  // namespace culex::pki
