// Making X.509 v3 certificates and requests that are right by construction: the extensions each profile needs
// (CA, server, client), subjectAltNames always present on server certificates, random serial numbers, and
// signatures with a digest that suits the key.
#pragma once

#include <string>

#include "base/error.hpp"
#include "pki/handles.hpp"
#include "pki/summary.hpp"

namespace culex::pki {

enum class Profile { ca, server, client };
std::string_view to_string(Profile profile);

struct Validity {
    Seconds not_before{};
    Seconds not_after{};
};
// From a few minutes ago (so a peer whose clock is slightly behind accepts it at once) to `days` from now.
Validity validity_for_days(int days,
                           Seconds now = std::chrono::time_point_cast<std::chrono::seconds>(Clock::now()));

struct CertificateSpec {
    Profile profile = Profile::server;
    std::string common_name;
    std::string organization;   // optional O=
    SubjectAltNames alt_names;  // dns and ip are used; server certificates must have at least one
    Validity validity;
};

// Host names in a DNS subjectAltName: letters, digits, '-', '.', and a leading "*." wildcard label.
Result<void> validate_dns_name(std::string_view name);
// An IPv4 or IPv6 address in text form.
Result<void> validate_ip_address(std::string_view address);
bool is_ip_address(std::string_view text);

// 159 random bits, positive: RFC 5280 allows 20 octets; CA/B rules want at least 64 bits of randomness.
Result<Asn1IntegerPtr> random_serial();

// Builds and signs a certificate for `subject_key`. For Profile::ca pass issuer_cert = nullptr and
// issuer_key = the CA's own key (self-signed). Fails on a subject equal to the issuer's.
Result<X509Ptr> issue_certificate(const CertificateSpec& spec, EVP_PKEY* subject_key, X509* issuer_cert,
                                  EVP_PKEY* issuer_key);

// A CSR carrying CN (and the requested subjectAltNames), signed by `key`.
Result<X509ReqPtr> make_request(const std::string& common_name, const SubjectAltNames& alt_names,
                                EVP_PKEY* key);

// What a CSR asks for: its CN and subjectAltNames. Fails when its signature does not verify.
struct RequestSummary {
    std::string subject;
    std::string common_name;
    SubjectAltNames alt_names;
    KeyDescription key;
};
Result<RequestSummary> summarize_request(X509_REQ* request);

}  // namespace culex::pki
