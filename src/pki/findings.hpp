// What is wrong with a certificate, in words: each Finding says what, why it breaks TLS, and how to fix it.
// `culex pki show`, `culex doctor` and the broker's start-up checks all call these, so the same fault reads
// the same everywhere.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pki/summary.hpp"

namespace culex::pki {

enum class Severity { info, warning, error };

enum class FindingCode {
    version_1,              // X.509 v1: no extensions possible
    no_extensions,          // v3 but nothing in it
    subject_equals_issuer,  // a leaf whose subject is its issuer's: looks self-signed (the lab's fault)
    self_signed_leaf,       // a leaf that really is self-signed
    missing_san,            // no subjectAltName: host name checks fail
    not_a_ca,               // used as a CA but basicConstraints CA:TRUE is missing
    ca_without_cert_sign,   // CA whose keyUsage lacks keyCertSign
    leaf_is_ca,             // a server/client certificate that says CA:TRUE
    missing_server_auth,    // extendedKeyUsage present without serverAuth, used by a server
    missing_client_auth,    // extendedKeyUsage present without clientAuth, used by a client
    weak_key,
    weak_signature,  // MD5 or SHA-1
    expired,
    not_yet_valid,
    expires_soon,
    key_mismatch,  // the private key is not the certificate's
};

// Stable names for scripts and tests: "version-1", "subject-equals-issuer", ...
std::string_view to_string(FindingCode code);
std::string_view to_string(Severity severity);

struct Finding {
    FindingCode code;
    Severity severity;
    std::string message;  // what is wrong and why it breaks
    std::string fix;      // what to do, a command when there is one
};

// How a certificate is meant to be used: checks that only make sense for one role run only for it.
enum class CertificateRole { any, ca, server, client };

struct CheckOptions {
    CertificateRole role = CertificateRole::any;
    Seconds now = std::chrono::time_point_cast<std::chrono::seconds>(Clock::now());
    std::chrono::days expiry_warning{30};
};

std::vector<Finding> check_certificate(const CertificateSummary& cert, const CheckOptions& options = {});

// A Finding when `key` (read from key_path) is not the private key of `cert` (read from cert_path).
std::optional<Finding> check_key_matches(const EVP_PKEY* key, const X509* cert, std::string_view key_path,
                                         std::string_view cert_path);

bool has_errors(const std::vector<Finding>& findings);

// "warning: <message>\n  fix: <fix>\n" for each finding.
std::string format_findings(const std::vector<Finding>& findings);

}  // namespace culex::pki
