// Revocation: the CA's list of revoked certificates (a small text file in the pki directory) and the CRL made
// from it, signed by the CA, that brokers load with `crlfile`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "pki/handles.hpp"
#include "pki/summary.hpp"

namespace culex::pki {

// RFC 5280 CRLReason values culex accepts on the command line.
enum class RevocationReason {
    unspecified = 0,
    key_compromise = 1,
    ca_compromise = 2,
    affiliation_changed = 3,
    superseded = 4,
    cessation_of_operation = 5,
};
// Accepts the names openssl uses: unspecified, keyCompromise, CACompromise, affiliationChanged, superseded,
// cessationOfOperation.
Result<RevocationReason> parse_revocation_reason(std::string_view text);
std::string_view to_string(RevocationReason reason);

struct RevokedEntry {
    std::string serial_hex;  // upper-case hex, as serial_to_hex() prints it
    Seconds revoked_at{};
    RevocationReason reason = RevocationReason::unspecified;
    std::string subject;  // for people reading the file; not used by the CRL

    bool operator==(const RevokedEntry&) const = default;
};

// The file format, one entry a line: "SERIAL<TAB>UNIX-TIME<TAB>REASON<TAB>SUBJECT". '#' starts a comment.
Result<std::vector<RevokedEntry>> parse_revocation_list(std::string_view text);
std::string format_revocation_list(const std::vector<RevokedEntry>& entries);

// A v2 CRL with the CRL number and authority key identifier extensions, signed by the CA.
Result<X509CrlPtr> make_crl(const std::vector<RevokedEntry>& entries, X509* ca_cert, EVP_PKEY* ca_key,
                            long crl_number, Seconds this_update, Seconds next_update);

struct CrlSummary {
    std::string issuer;
    Seconds this_update{};
    std::optional<Seconds> next_update;
    std::optional<long> crl_number;
    std::vector<RevokedEntry> revoked;  // subjects empty: a CRL does not carry them
};
CrlSummary summarize_crl(const X509_CRL* crl);

// Whether `crl` was signed by `ca_cert`'s key.
bool crl_signed_by(X509_CRL* crl, X509* ca_cert);

}  // namespace culex::pki
