// Verifying a certificate against CA certificates (chain, purpose, host name, revocation) and explaining a
// failure in words: which check failed, why, and the fix. The TLS code reuses explain_verify_error() for the
// verification result of a live handshake (SSL_get_verify_result), so the broker log, the clients, `culex pki
// verify` and `culex doctor` word the same fault the same way.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pki/findings.hpp"
#include "pki/handles.hpp"
#include "pki/summary.hpp"

namespace culex::pki {

struct VerifyOptions {
    CertificateRole purpose = CertificateRole::any;  // server or client adds OpenSSL's TLS purpose check
    std::optional<std::string> host;                 // a DNS name or an IP address the certificate must name
    std::vector<X509_CRL*> crls;                     // borrowed; when not empty, revocation is checked
    std::optional<Seconds> at;                       // verify as of this time instead of now
};

struct VerifyProblem {
    int error = 0;  // X509_V_ERR_*
    int depth = 0;  // 0 = the certificate itself
    std::string openssl_reason;
    std::string explanation;  // cause and fix
};

struct VerifyResult {
    bool ok = false;
    std::vector<std::string> chain;  // subjects from the certificate up to the trust anchor, as far as built
    std::vector<VerifyProblem> problems;  // every failed check, first one first; empty when ok
};

VerifyResult verify_certificate(X509* cert, const std::vector<X509Ptr>& trusted,
                                const std::vector<X509Ptr>& intermediates = {},
                                const VerifyOptions& options = {});

// The words for one X509_V_ERR_* code about `cert` (the certificate at the failing depth), given the CA
// certificates that were trusted and the host that was expected, if any.
std::string explain_verify_error(int error, const CertificateSummary& cert,
                                 const std::vector<CertificateSummary>& trusted,
                                 const std::optional<std::string>& host = {});

// 'host name "debian2" is not in the certificate's subjectAltName, which holds DNS:broker, IP:127.0.0.1'.
std::string explain_host_mismatch(const CertificateSummary& cert, std::string_view host);

// Whether `cert` names `host` (DNS with wildcards, or IP), as OpenSSL's TLS host check decides it.
bool certificate_matches_host(X509* cert, std::string_view host);

}  // namespace culex::pki
