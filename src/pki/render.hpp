// Human-readable text for `culex pki show`: the fields `openssl x509 -text -noout` shows that matter for TLS,
// in plain words, followed by the findings.
#pragma once

#include <string>

#include "pki/builder.hpp"
#include "pki/crl.hpp"
#include "pki/inspect.hpp"

namespace culex::pki {

std::string render_certificate(const CertificateSummary& cert);
std::string render_report(const CertificateReport& report);
std::string render_request(const RequestSummary& request);
std::string render_crl(const CrlSummary& crl, Seconds now);

}  // namespace culex::pki
