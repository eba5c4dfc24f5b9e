// The one call for "what is in this certificate file and what is wrong with it": every certificate in the
// file summarized and checked. `culex pki show` prints it; `culex doctor` and the broker's start-up checks
// use it.
#pragma once

#include <filesystem>
#include <vector>

#include "base/error.hpp"
#include "pki/findings.hpp"
#include "pki/summary.hpp"

namespace culex::pki {

struct CertificateReport {
    CertificateSummary summary;
    std::vector<Finding> findings;
};

// One report per certificate, in file order. For a bundle, the role applies to the first certificate; the
// ones after it are judged as CAs when they say CA:TRUE.
Result<std::vector<CertificateReport>> inspect_certificate_file(const std::filesystem::path& path,
                                                                const CheckOptions& options = {});
std::vector<CertificateReport> inspect_certificates(const std::vector<X509Ptr>& certs,
                                                    const CheckOptions& options);

}  // namespace culex::pki
