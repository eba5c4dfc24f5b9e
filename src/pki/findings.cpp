#include "pki/findings.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace culex::pki {

std::string_view to_string(FindingCode code) {
    switch (code) {
        case FindingCode::version_1:
            return "version-1";
        case FindingCode::no_extensions:
            return "no-extensions";
        case FindingCode::subject_equals_issuer:
            return "subject-equals-issuer";
        case FindingCode::self_signed_leaf:
            return "self-signed-leaf";
        case FindingCode::missing_san:
            return "missing-san";
        case FindingCode::not_a_ca:
            return "not-a-ca";
        case FindingCode::ca_without_cert_sign:
            return "ca-without-cert-sign";
        case FindingCode::leaf_is_ca:
            return "leaf-is-ca";
        case FindingCode::missing_server_auth:
            return "missing-server-auth";
        case FindingCode::missing_client_auth:
            return "missing-client-auth";
        case FindingCode::weak_key:
            return "weak-key";
        case FindingCode::weak_signature:
            return "weak-signature";
        case FindingCode::expired:
            return "expired";
        case FindingCode::not_yet_valid:
            return "not-yet-valid";
        case FindingCode::expires_soon:
            return "expires-soon";
        case FindingCode::key_mismatch:
            return "key-mismatch";
    }
    return "unknown";
}

std::string_view to_string(Severity severity) {
    switch (severity) {
        case Severity::info:
            return "note";
        case Severity::warning:
            return "warning";
        case Severity::error:
            return "error";
    }
    return "?";
}

namespace {

std::string reissue_hint(const CertificateSummary& cert, CertificateRole role) {
    std::string name = cert.subject_cn.empty() ? "NAME" : cert.subject_cn;
    if (role == CertificateRole::client) return fmt::format("culex pki client --name {}", name);
    if (role == CertificateRole::ca || cert.is_ca()) return "culex pki init";
    return fmt::format("culex pki server --name {}", name);
}

bool is_leaf(const CertificateSummary& cert, CertificateRole role) {
    if (role == CertificateRole::ca) return false;
    if (role == CertificateRole::server || role == CertificateRole::client) return true;
    // Without a role, a v1 certificate or one without basicConstraints is judged as a leaf unless it is
    // self-signed: that is how the lab's v1 CA and v1 broker certificate are told apart.
    return !cert.is_ca() && !cert.self_signed;
}

void check_structure(const CertificateSummary& cert, CertificateRole role, std::vector<Finding>& out) {
    if (cert.version < 3) {
        out.push_back(
            {FindingCode::version_1, Severity::error,
             fmt::format("X.509 v{} certificate: it cannot carry extensions, so it has no subjectAltName "
                         "(host name checks fail), no basicConstraints and no key usage (what it may be "
                         "used for is left to guesswork); `openssl x509 -req` without -extfile makes these",
                         cert.version),
             "reissue it as v3: " + reissue_hint(cert, role)});
    } else if (cert.extension_count == 0) {
        out.push_back(
            {FindingCode::no_extensions, Severity::warning,
             "X.509 v3 certificate without any extension: no subjectAltName, no basicConstraints, no key "
             "usage",
             "reissue it: " + reissue_hint(cert, role)});
    }
}

void check_identity(const CertificateSummary& cert, CertificateRole role, std::vector<Finding>& out) {
    if (!is_leaf(cert, role)) return;
    if (cert.subject_equals_issuer && cert.self_signed) {
        out.push_back(
            {FindingCode::self_signed_leaf, Severity::warning,
             fmt::format("self-signed certificate (\"{}\"): peers can only trust it by trusting this very "
                         "certificate, and it cannot be revoked",
                         cert.subject),
             "issue it from a CA: culex pki init, then " + reissue_hint(cert, role)});
    } else if (cert.subject_equals_issuer) {
        out.push_back(
            {FindingCode::subject_equals_issuer, Severity::error,
             fmt::format("the subject \"{}\" is the same as the issuer's (its CA's): OpenSSL takes a "
                         "certificate whose subject equals its issuer for self-signed, so it never looks "
                         "for the CA, and verification fails (\"self-signed certificate\" or \"unknown "
                         "ca\")",
                         cert.subject),
             "reissue it with a subject distinct from the CA's (the CN naming this host or client): " +
                 reissue_hint(cert, role)});
    }
    if (role != CertificateRole::client && (!cert.subject_alt_names || cert.subject_alt_names->empty())) {
        out.push_back(
            {FindingCode::missing_san, role == CertificateRole::server ? Severity::error : Severity::warning,
             fmt::format("no subjectAltName: clients check the host name or address they connect to "
                         "against it; OpenSSL-based clients such as mosquitto_pub fall back to the CN ({}) "
                         "for a host name but never for an IP address, and other TLS stacks (Go, browsers) "
                         "ignore the CN, so connections fail as a host name mismatch",
                         cert.subject_cn.empty() ? std::string("there is none either")
                                                 : "\"" + cert.subject_cn + "\""),
             "reissue it naming every host and address clients use: culex pki server --name HOST "
             "--dns OTHER.NAME --ip ADDRESS"});
    }
}

void check_usage(const CertificateSummary& cert, CertificateRole role, std::vector<Finding>& out) {
    if (role == CertificateRole::ca && !cert.is_ca()) {
        out.push_back(
            {FindingCode::not_a_ca, Severity::error,
             fmt::format("\"{}\" is not a CA certificate (no basicConstraints CA:TRUE): OpenSSL will not "
                         "accept it as the issuer of other certificates; a cafile must hold the CA that "
                         "issued the peer's certificate, not a leaf",
                         cert.subject),
             "put the CA certificate (ca.crt) in cafile; make a CA with: culex pki init"});
    }
    if (cert.is_ca() && cert.key_usage && !cert.has_key_usage(kKeyCertSign)) {
        out.push_back(
            {FindingCode::ca_without_cert_sign, Severity::error,
             "CA certificate whose keyUsage lacks keyCertSign: OpenSSL rejects the certificates it signed",
             "recreate the CA: culex pki init --force (and reissue what it signed)"});
    }
    if ((role == CertificateRole::server || role == CertificateRole::client) && cert.is_ca()) {
        out.push_back(
            {FindingCode::leaf_is_ca, Severity::warning,
             "a CA certificate (CA:TRUE) used as a server or client certificate: anyone holding its key "
             "can issue certificates your peers will trust",
             "issue a leaf certificate for this use: " + reissue_hint(cert, role)});
    }
    if (role == CertificateRole::server && cert.extended_key_usage &&
        !cert.has_extended_key_usage(kServerAuth)) {
        out.push_back({FindingCode::missing_server_auth, Severity::error,
                       "extendedKeyUsage lacks serverAuth: clients reject it as a server certificate "
                       "(\"unsupported certificate purpose\")",
                       "issue a server certificate: " + reissue_hint(cert, role)});
    }
    if (role == CertificateRole::client && cert.extended_key_usage &&
        !cert.has_extended_key_usage(kClientAuth)) {
        out.push_back({FindingCode::missing_client_auth, Severity::error,
                       "extendedKeyUsage lacks clientAuth: the broker rejects it as a client certificate "
                       "(\"unsupported certificate purpose\")",
                       "issue a client certificate: " + reissue_hint(cert, role)});
    }
}

void check_crypto(const CertificateSummary& cert, CertificateRole role, std::vector<Finding>& out) {
    if (cert.key.weak) {
        out.push_back(
            {FindingCode::weak_key, Severity::error,
             fmt::format("weak key ({}): OpenSSL 3 at its default security level refuses RSA keys below "
                         "2048 bits and EC keys below 256",
                         cert.key.text),
             "reissue it with a strong key (the default is ec:P-256): " + reissue_hint(cert, role)});
    }
    std::string algorithm = cert.signature_algorithm;
    std::transform(algorithm.begin(), algorithm.end(), algorithm.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    bool self_signature_irrelevant = cert.self_signed;  // nobody checks a trust anchor's own signature
    bool weak = algorithm.find("md5") != std::string::npos || algorithm.find("sha1") != std::string::npos;
    if (weak && !self_signature_irrelevant) {
        out.push_back({FindingCode::weak_signature, Severity::error,
                       fmt::format("signed with {}: OpenSSL 3 rejects MD5 and SHA-1 signatures by default",
                                   cert.signature_algorithm),
                       "reissue it (culex pki signs with SHA-256 or better): " + reissue_hint(cert, role)});
    }
}

void check_validity(const CertificateSummary& cert, const CheckOptions& options, CertificateRole role,
                    std::vector<Finding>& out) {
    if (options.now > cert.not_after) {
        out.push_back({FindingCode::expired, Severity::error,
                       fmt::format("expired on {}: peers reject it (\"certificate has expired\")",
                                   format_time(cert.not_after)),
                       "reissue it: " + reissue_hint(cert, role) + " --force"});
    } else if (options.now < cert.not_before) {
        out.push_back(
            {FindingCode::not_yet_valid, Severity::error,
             fmt::format("not valid before {}: peers reject it (\"certificate is not yet valid\"); a clock "
                         "is wrong, here or where it was made",
                         format_time(cert.not_before)),
             "check the clocks (timedatectl) or reissue it"});
    } else if (cert.not_after - options.now < options.expiry_warning) {
        auto days = std::chrono::duration_cast<std::chrono::days>(cert.not_after - options.now).count();
        out.push_back(
            {FindingCode::expires_soon, Severity::warning,
             fmt::format("expires in {} day{} ({})", days, days == 1 ? "" : "s", format_time(cert.not_after)),
             "reissue it before then: " + reissue_hint(cert, role) + " --force"});
    }
}

// Without a role, a leaf's extendedKeyUsage says what it is for: one that may only authenticate clients is
// judged as a client certificate (which needs no subjectAltName), one that may only authenticate servers as a
// server certificate.
CertificateRole effective_role(const CertificateSummary& cert, CertificateRole role) {
    if (role != CertificateRole::any || cert.is_ca() || !cert.extended_key_usage) return role;
    bool server = cert.has_extended_key_usage(kServerAuth);
    bool client = cert.has_extended_key_usage(kClientAuth);
    if (client && !server) return CertificateRole::client;
    if (server && !client) return CertificateRole::server;
    return role;
}

}  // namespace

std::vector<Finding> check_certificate(const CertificateSummary& cert, const CheckOptions& options) {
    std::vector<Finding> out;
    CertificateRole role = effective_role(cert, options.role);
    check_structure(cert, role, out);
    check_identity(cert, role, out);
    check_usage(cert, role, out);
    check_crypto(cert, role, out);
    check_validity(cert, options, role, out);
    return out;
}

std::optional<Finding> check_key_matches(const EVP_PKEY* key, const X509* cert, std::string_view key_path,
                                         std::string_view cert_path) {
    if (key_matches_certificate(key, cert)) return std::nullopt;
    return Finding{
        FindingCode::key_mismatch, Severity::error,
        fmt::format("the private key {} does not belong to the certificate {} (subject \"{}\"): the TLS "
                    "server cannot start, or peers see a handshake failure",
                    key_path, cert_path, name_to_string(X509_get_subject_name(cert))),
        "point keyfile and certfile at the pair made together (NAME.key with NAME.crt); check with: "
        "culex pki verify --ca ca.crt --key KEYFILE CERTFILE"};
}

bool has_errors(const std::vector<Finding>& findings) {
    return std::any_of(findings.begin(), findings.end(),
                       [](const Finding& f) { return f.severity == Severity::error; });
}

std::string format_findings(const std::vector<Finding>& findings) {
    std::string out;
    for (const auto& f : findings) {
        out += fmt::format("{}: {}\n", to_string(f.severity), f.message);
        if (!f.fix.empty()) out += fmt::format("  fix: {}\n", f.fix);
    }
    return out;
}

}  // namespace culex::pki
