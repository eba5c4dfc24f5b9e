#include "tls/credentials.hpp"

#include <openssl/err.h>

#include <fmt/format.h>

#include "pki/files.hpp"
#include "pki/findings.hpp"
#include "pki/key.hpp"
#include "pki/pem.hpp"
#include "tls/file_checks.hpp"

namespace culex::tls {

namespace {

std::string label(std::string_view option, const std::string& path, std::string_view where) {
    if (where.empty()) return fmt::format("{} \"{}\"", option, path);
    return fmt::format("{} \"{}\" ({})", option, path, where);
}

}  // namespace

std::string openssl_reason(unsigned long code) {
    if (code == 0) return "";
    if (const char* reason = ERR_reason_error_string(code)) return reason;
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    return buffer;
}

std::vector<pki::CertificateSummary> summarize_all(const std::vector<pki::X509Ptr>& certs) {
    std::vector<pki::CertificateSummary> out;
    out.reserve(certs.size());
    for (const auto& c : certs)
        out.push_back(pki::summarize(c.get()));
    return out;
}

Result<Credentials> load_credentials(const std::string& cert_path, const std::string& key_path,
                                     const std::optional<std::string>& key_password, CredentialNames names,
                                     std::string_view where) {
    if (auto ok = check_readable_file(cert_path, names.cert_option, where); !ok)
        return std::unexpected(ok.error());
    if (auto ok = check_readable_file(key_path, names.key_option, where); !ok)
        return std::unexpected(ok.error());

    auto cert_data = pki::read_file(cert_path);
    if (!cert_data) return fail(cert_data.error().message);
    if (pki::detect_kind(*cert_data) == pki::PemKind::private_key) {
        return fail(
            fmt::format("{} holds a private key, not a certificate; fix: swap {} and {}, or point {} at "
                        "the .crt file",
                        label(names.cert_option, cert_path, where), names.cert_option, names.key_option,
                        names.cert_option));
    }
    auto chain = pki::parse_certificates(*cert_data);
    if (!chain) {
        return fail(
            fmt::format("{} holds no certificate OpenSSL can read ({}); fix: point it at a PEM certificate "
                        "(culex pki server --name HOST writes pki/HOST.crt)",
                        label(names.cert_option, cert_path, where), chain.error().message));
    }

    auto key_data = pki::read_file(key_path);
    if (!key_data) return fail(key_data.error().message);
    auto kind = pki::detect_kind(*key_data);
    if (kind == pki::PemKind::certificate || kind == pki::PemKind::request) {
        return fail(fmt::format(
            "{} holds a {}, not a private key; fix: point {} at the .key file made with the "
            "certificate",
            label(names.key_option, key_path, where),
            kind == pki::PemKind::certificate ? "certificate" : "certificate request", names.key_option));
    }
    auto key = pki::parse_private_key(*key_data, key_password);
    if (!key) {
        return fail(
            fmt::format("{}: cannot read the private key ({}); fix: point it at an unencrypted PEM key, or "
                        "give its password (keyfile_password)",
                        label(names.key_option, key_path, where), key.error().message));
    }

    Credentials out;
    out.certificate = pki::summarize(chain->front().get());
    if (!pki::key_matches_certificate(key->get(), chain->front().get())) {
        return fail(fmt::format(
            "{} is not the private key of {} (CN \"{}\"): the two files come from different runs (the lab's "
            "fault: the config points at files other than the ones just made); fix: point {} at the key made "
            "with this certificate (culex pki writes NAME.key beside NAME.crt), or make both again",
            label(names.key_option, key_path, where), label(names.cert_option, cert_path, ""),
            out.certificate.subject_cn, names.key_option));
    }
    out.chain = std::move(*chain);
    out.key = std::move(*key);
    return out;
}

Result<std::vector<pki::X509Ptr>> load_ca_file(const std::string& path, std::string_view option,
                                               std::string_view where) {
    if (auto ok = check_readable_file(path, option, where); !ok) return std::unexpected(ok.error());
    auto data = pki::read_file(path);
    if (!data) return fail(data.error().message);
    if (pki::detect_kind(*data) == pki::PemKind::private_key) {
        return fail(
            fmt::format("{} holds a private key, not CA certificates; fix: point it at ca.crt (never at "
                        "a .key file)",
                        label(option, path, where)));
    }
    auto certs = pki::parse_certificates(*data);
    if (!certs) {
        return fail(
            fmt::format("{} holds no certificate OpenSSL can read ({}); fix: point it at the CA "
                        "certificate (culex pki init writes pki/ca.crt)",
                        label(option, path, where), certs.error().message));
    }
    return std::move(*certs);
}

Result<void> use_credentials(SSL_CTX* ctx, const Credentials& credentials) {
    ERR_clear_error();
    if (SSL_CTX_use_certificate(ctx, credentials.chain.front().get()) != 1) {
        return fail(pki::with_openssl_reason("OpenSSL refused the certificate"));
    }
    SSL_CTX_clear_chain_certs(ctx);
    for (std::size_t i = 1; i < credentials.chain.size(); ++i) {
        if (SSL_CTX_add1_chain_cert(ctx, credentials.chain[i].get()) != 1) {
            return fail(pki::with_openssl_reason("OpenSSL refused a chain certificate"));
        }
    }
    if (SSL_CTX_use_PrivateKey(ctx, credentials.key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        return fail(pki::with_openssl_reason("OpenSSL refused the private key"));
    }
    return {};
}

}  // namespace culex::tls
