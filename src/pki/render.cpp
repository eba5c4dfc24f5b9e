#include "pki/render.hpp"

#include <fmt/format.h>

namespace culex::pki {

namespace {

std::string list_or_none(const std::optional<std::vector<std::string>>& items) {
    if (!items) return "(absent)";
    if (items->empty()) return "(empty)";
    return fmt::format("{}", fmt::join(*items, ", "));
}

}  // namespace

std::string render_certificate(const CertificateSummary& c) {
    std::string out;
    auto line = [&](std::string_view label, const std::string& value) {
        out += fmt::format("  {:<22}{}\n", label, value);
    };
    out += "Certificate:\n";
    line("Version:",
         fmt::format("{}{}", c.version, c.version < 3 ? " (X.509 v1: no extensions possible)" : ""));
    line("Serial:", c.serial_hex);
    line("Subject:", c.subject);
    line("Issuer:", c.issuer + (c.self_signed             ? " (self-signed)"
                                : c.subject_equals_issuer ? " (same as subject)"
                                                          : ""));
    line("Not before:", format_time(c.not_before));
    line("Not after:", format_time(c.not_after));
    line("Public key:", c.key.text);
    line("Signature:", c.signature_algorithm);
    if (c.basic_constraints) {
        std::string bc = c.basic_constraints->ca ? "CA:TRUE" : "CA:FALSE";
        if (c.basic_constraints->path_length)
            bc += fmt::format(", pathlen:{}", *c.basic_constraints->path_length);
        if (c.basic_constraints->critical) bc += " (critical)";
        line("Basic constraints:", bc);
    } else {
        line("Basic constraints:", "(absent)");
    }
    line("Key usage:",
         list_or_none(c.key_usage) + (c.key_usage && c.key_usage_critical ? " (critical)" : ""));
    line("Extended key usage:", list_or_none(c.extended_key_usage));
    line("Subject alt names:",
         c.subject_alt_names ? (c.subject_alt_names->empty() ? "(empty)" : c.subject_alt_names->to_string())
                             : "(absent)");
    if (!c.subject_key_id.empty()) line("Subject key id:", c.subject_key_id);
    if (!c.authority_key_id.empty()) line("Authority key id:", c.authority_key_id);
    line("SHA-256 fingerprint:", c.sha256_fingerprint);
    return out;
}

std::string render_report(const CertificateReport& report) {
    std::string out = render_certificate(report.summary);
    if (report.findings.empty()) {
        out += "No problems found.\n";
    } else {
        out += format_findings(report.findings);
    }
    return out;
}

std::string render_request(const RequestSummary& r) {
    std::string out = "Certificate request:\n";
    out += fmt::format("  {:<22}{}\n", "Subject:", r.subject);
    out += fmt::format("  {:<22}{}\n", "Public key:", r.key.text);
    out +=
        fmt::format("  {:<22}{}\n",
                    "Subject alt names:", r.alt_names.empty() ? "(none requested)" : r.alt_names.to_string());
    out += "  Signature verifies: the requester holds the private key.\n";
    if (r.key.weak) out += fmt::format("warning: weak key ({}): do not sign it\n", r.key.text);
    return out;
}

std::string render_crl(const CrlSummary& crl, Seconds now) {
    std::string out = "Certificate revocation list:\n";
    out += fmt::format("  {:<22}{}\n", "Issuer:", crl.issuer);
    if (crl.crl_number) out += fmt::format("  {:<22}{}\n", "CRL number:", *crl.crl_number);
    out += fmt::format("  {:<22}{}\n", "This update:", format_time(crl.this_update));
    out += fmt::format("  {:<22}{}\n",
                       "Next update:", crl.next_update ? format_time(*crl.next_update) : "(none)");
    out += fmt::format("  {:<22}{}\n",
                       "Revoked:", crl.revoked.empty() ? "none" : std::to_string(crl.revoked.size()));
    for (const auto& r : crl.revoked) {
        out += fmt::format("    {}  {}  {}\n", r.serial_hex, format_time(r.revoked_at), to_string(r.reason));
    }
    if (crl.next_update && *crl.next_update < now) {
        out +=
            "error: this CRL has passed its next-update date: OpenSSL rejects it and every client it should "
            "check (\"CRL has expired\")\n  fix: culex pki crl\n";
    } else if (crl.next_update && *crl.next_update - now < std::chrono::days(14)) {
        out +=
            "warning: this CRL expires within 14 days; when it does, every TLS client is refused\n  fix: "
            "culex pki crl\n";
    }
    return out;
}

}  // namespace culex::pki
