// Names for what a TLS handshake shows in clear: protocol versions, cipher suites (the IANA names OpenSSL
// knows), and the subject of a DER certificate.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace culex::sniff {

// "TLS 1.2", "TLS 1.3", "SSL 3.0", or "0x7f1c" for what has no name.
std::string tls_version_name(std::uint16_t version);

// "TLS_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", or "0xC030" when OpenSSL does not know
// it.
std::string cipher_suite_name(std::uint16_t suite);

// The subject of a DER-encoded certificate in RFC 2253 form ("CN=broker,O=Lab"), or nullopt if it does not
// parse.
std::optional<std::string> certificate_subject(std::string_view der);

}  // namespace culex::sniff
