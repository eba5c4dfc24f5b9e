#include "pki/inspect.hpp"

#include "pki/pem.hpp"

namespace culex::pki {

std::vector<CertificateReport> inspect_certificates(const std::vector<X509Ptr>& certs,
                                                    const CheckOptions& options) {
    std::vector<CertificateReport> reports;
    for (std::size_t i = 0; i < certs.size(); ++i) {
        CertificateReport report{summarize(certs[i].get()), {}};
        CheckOptions these = options;
        if (i > 0 && report.summary.is_ca()) these.role = CertificateRole::ca;
        report.findings = check_certificate(report.summary, these);
        reports.push_back(std::move(report));
    }
    return reports;
}

Result<std::vector<CertificateReport>> inspect_certificate_file(const std::filesystem::path& path,
                                                                const CheckOptions& options) {
    auto certs = read_certificates(path);
    if (!certs) return std::unexpected(certs.error());
    return inspect_certificates(*certs, options);
}

}  // namespace culex::pki
