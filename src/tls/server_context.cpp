#include "tls/server_context.hpp"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <fmt/format.h>

#include <algorithm>

#include "pki/crl.hpp"
#include "pki/pem.hpp"
#include "pki/verify.hpp"
#include "tls/credentials.hpp"
#include "tls/dh_params.hpp"
#include "tls/file_checks.hpp"
#include "tls/verify_capture.hpp"

namespace culex::tls {

namespace {

constexpr unsigned char kSessionIdContext[] = "culex";

// Findings about certfile that stop the listener: every client that verifies would refuse the certificate.
// The rest (v1, no subjectAltName, weak key...) are logged as warnings, because Mosquitto starts with them
// and some clients still connect (OpenSSL matches the CN when there is no subjectAltName).
bool fatal_for_server(pki::FindingCode code) {
    switch (code) {
        case pki::FindingCode::expired:
        case pki::FindingCode::not_yet_valid:
        case pki::FindingCode::subject_equals_issuer:
        case pki::FindingCode::missing_server_auth:
        case pki::FindingCode::key_mismatch:
            return true;
        default:
            return false;
    }
}

std::string label(std::string_view option, const std::string& path, std::string_view where) {
    return fmt::format("{} \"{}\" ({})", option, path, where);
}

bool untrusted_issuer_error(int error) {
    return error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
           error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
           error == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE;
}

// Does certfile chain to cafile? A certificate from an unrelated CA is only a warning (a public server
// certificate with a private client CA is a valid setup); one whose issuer is named in cafile but does not
// verify against it is the lab's "files from another run" fault, and fatal.
Result<void> check_chain(const ServerContextInfo& info, const std::vector<pki::X509Ptr>& chain,
                         const std::vector<pki::X509Ptr>& trusted, std::vector<std::string>& warnings) {
    std::vector<pki::X509Ptr> intermediates;
    for (std::size_t i = 1; i < chain.size(); ++i)
        intermediates.push_back(pki::share(chain[i].get()));
    auto result = pki::verify_certificate(chain.front().get(), trusted, intermediates,
                                          {.purpose = pki::CertificateRole::server});
    if (result.ok) return {};
    const auto& s = info.settings;
    for (const auto& problem : result.problems) {
        switch (problem.error) {
            case X509_V_ERR_CERT_HAS_EXPIRED:
            case X509_V_ERR_CERT_NOT_YET_VALID:
            case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
                continue;  // reported from the findings, with the same words
            default:
                break;
        }
        if (untrusted_issuer_error(problem.error)) {
            bool issuer_named = std::any_of(info.trusted.begin(), info.trusted.end(), [&](const auto& t) {
                return t.subject == info.certificate.issuer;
            });
            if (!issuer_named || problem.depth > 0) {
                warnings.push_back(fmt::format(
                    "{} is not issued by a CA in cafile \"{}\" (its issuer is \"{}\"): clients given that "
                    "cafile will refuse it with \"unknown ca\"; fine if your clients trust its issuer "
                    "another "
                    "way, else reissue it from that CA (culex pki server --name HOST)",
                    label("certfile", s.certfile, info.where), s.cafile, info.certificate.issuer));
                continue;
            }
        }
        return fail(fmt::format("{} does not verify against cafile \"{}\" ({}): {}",
                                label("certfile", s.certfile, info.where), s.cafile, problem.openssl_reason,
                                problem.explanation));
    }
    return {};
}

Result<void> load_crls(SSL_CTX* ctx, const ServerContextInfo& info,
                       const std::vector<pki::X509Ptr>& trusted) {
    const auto& s = info.settings;
    if (auto ok = check_readable_file(s.crlfile, "crlfile", info.where); !ok) return ok;
    auto crls = pki::read_crls(s.crlfile);
    if (!crls) {
        return fail(fmt::format("{} holds no CRL OpenSSL can read ({}); fix: make one with culex pki crl",
                                label("crlfile", s.crlfile, info.where), crls.error().message));
    }
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    auto now = std::chrono::time_point_cast<std::chrono::seconds>(pki::Clock::now());
    for (const auto& crl : *crls) {
        auto summary = pki::summarize_crl(crl.get());
        bool signed_by_trusted =
            trusted.empty() || std::any_of(trusted.begin(), trusted.end(), [&](const auto& ca) {
                return pki::crl_signed_by(crl.get(), ca.get());
            });
        if (!signed_by_trusted) {
            return fail(fmt::format(
                "{} was issued by \"{}\", which is not a CA in cafile \"{}\": OpenSSL would find no CRL for "
                "the clients' CA and refuse every client; fix: use the CRL of the CA in cafile (culex pki "
                "crl "
                "in that CA's directory writes ca.crl)",
                label("crlfile", s.crlfile, info.where), summary.issuer, s.cafile));
        }
        if (summary.next_update && *summary.next_update < now) {
            return fail(
                fmt::format("{} expired on {} (its next update): OpenSSL refuses every client while it "
                            "is out of date; fix: make a fresh one with culex pki crl",
                            label("crlfile", s.crlfile, info.where), pki::format_time(*summary.next_update)));
        }
        X509_STORE_add_crl(store, crl.get());
    }
    // The leaf only, as Mosquitto does: a CRL for each intermediate would otherwise be required.
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
    return {};
}

}  // namespace

ServerContext::ServerContext(boost::asio::ssl::context context, ServerContextInfo info,
                             std::vector<std::string> warnings)
    : context_(std::move(context)), info_(std::move(info)), warnings_(std::move(warnings)) {}

std::string describe_listener(const config::Listener& listener) {
    std::string name = listener.is_default ? fmt::format("the default listener (port {})", listener.port)
                                           : fmt::format("listener {}", listener.port);
    if (listener.source_file.empty()) return name;
    return fmt::format("{} at {}:{}", name, listener.source_file, listener.source_line);
}

int min_protocol_version(const std::optional<config::TlsVersion>& version) {
    if (!version) return TLS1_2_VERSION;
    switch (*version) {
        case config::TlsVersion::tls1_1:
            return TLS1_1_VERSION;
        case config::TlsVersion::tls1_2:
            return TLS1_2_VERSION;
        case config::TlsVersion::tls1_3:
            return TLS1_3_VERSION;
    }
    return TLS1_2_VERSION;
}

std::string_view protocol_version_name(int version) {
    switch (version) {
        case TLS1_VERSION:
            return "TLS 1.0";
        case TLS1_1_VERSION:
            return "TLS 1.1";
        case TLS1_2_VERSION:
            return "TLS 1.2";
        case TLS1_3_VERSION:
            return "TLS 1.3";
        case SSL3_VERSION:
            return "SSL 3";
        default:
            return "an unknown TLS version";
    }
}

Result<ServerContextPtr> make_server_context(const config::Listener& listener) {
    return make_server_context(listener.tls, describe_listener(listener));
}

Result<ServerContextPtr> make_server_context(const config::TlsSettings& settings, const std::string& where) {
    const auto& s = settings;
    ServerContextInfo info;
    info.settings = settings;
    info.where = where;
    std::vector<std::string> warnings;

    if (s.certfile.empty() || s.keyfile.empty()) {
        return fail(
            fmt::format("{}: TLS needs both certfile and keyfile; fix: add the missing one "
                        "(culex pki server --name HOST prints both lines)",
                        where));
    }
    if (s.require_certificate && s.cafile.empty() && s.capath.empty()) {
        return fail(
            fmt::format("{}: require_certificate is true but there is no cafile or capath, so no client "
                        "certificate could be verified and every client would be refused; fix: add "
                        "`cafile /path/to/ca.crt` (the CA that issues your client certificates)",
                        where));
    }
    std::optional<std::string> password;
    if (!s.keyfile_password.empty()) password = s.keyfile_password;
    auto credentials = load_credentials(s.certfile, s.keyfile, password, {}, where);
    if (!credentials) return std::unexpected(credentials.error());
    info.certificate = credentials->certificate;

    info.certificate_findings =
        pki::check_certificate(info.certificate, {.role = pki::CertificateRole::server});
    for (const auto& finding : info.certificate_findings) {
        if (finding.severity == pki::Severity::info) continue;
        if (fatal_for_server(finding.code)) {
            return fail(fmt::format("{}: {}; fix: {}", label("certfile", s.certfile, where), finding.message,
                                    finding.fix));
        }
        warnings.push_back(fmt::format("{}: {}; fix: {}", label("certfile", s.certfile, where),
                                       finding.message, finding.fix));
    }

    std::vector<pki::X509Ptr> trusted;
    if (!s.cafile.empty()) {
        auto loaded = load_ca_file(s.cafile, "cafile", where);
        if (!loaded) return std::unexpected(loaded.error());
        trusted = std::move(*loaded);
        info.trusted = summarize_all(trusted);
        bool any_ca =
            std::any_of(info.trusted.begin(), info.trusted.end(), [](const auto& c) { return c.is_ca(); });
        if (!any_ca) {
            std::string message = fmt::format(
                "{} holds no CA certificate (\"{}\" is not CA:TRUE): it must hold the CA that issued the "
                "client "
                "certificates, not a leaf; fix: point it at ca.crt",
                label("cafile", s.cafile, where), info.trusted.front().subject);
            if (s.require_certificate) return fail(message);
            warnings.push_back(message);
        }
        if (auto ok = check_chain(info, credentials->chain, trusted, warnings); !ok)
            return std::unexpected(ok.error());
    }
    if (!s.capath.empty()) {
        if (auto ok = check_readable_directory(s.capath, "capath", where); !ok)
            return std::unexpected(ok.error());
    }

    boost::asio::ssl::context context(boost::asio::ssl::context::tls_server);
    SSL_CTX* ctx = context.native_handle();
    ERR_clear_error();
    int min_version = min_protocol_version(s.min_version);
    SSL_CTX_set_min_proto_version(ctx, min_version);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);  // idle connections hold no record buffers
    SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof kSessionIdContext - 1);
    if (!s.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, s.ciphers.c_str()) != 1) {
        return fail(
            fmt::format("{}: ciphers \"{}\" names no cipher OpenSSL knows ({}); fix: use an OpenSSL "
                        "cipher list (check it with `openssl ciphers -v '{}'`), or remove the line",
                        where, s.ciphers, pki::drain_openssl_errors(), s.ciphers));
    }
    if (!s.ciphers_tls13.empty() && SSL_CTX_set_ciphersuites(ctx, s.ciphers_tls13.c_str()) != 1) {
        return fail(
            fmt::format("{}: ciphers_tls1.3 \"{}\" is not a list of TLS 1.3 suites ({}); fix: use names "
                        "like TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256, or remove the line",
                        where, s.ciphers_tls13, pki::drain_openssl_errors()));
    }
    if (!s.dhparamfile.empty()) {
        if (auto ok = use_dh_params(ctx, s.dhparamfile); !ok)
            return fail(fmt::format("{}: {}", where, ok.error()));
    }
    if (auto ok = use_credentials(ctx, *credentials); !ok) {
        return fail(fmt::format("{}: {}", label("certfile", s.certfile, where), ok.error().message));
    }
    if (!s.cafile.empty() || !s.capath.empty()) {
        const char* file = s.cafile.empty() ? nullptr : s.cafile.c_str();
        const char* dir = s.capath.empty() ? nullptr : s.capath.c_str();
        if (SSL_CTX_load_verify_locations(ctx, file, dir) != 1) {
            return fail(
                pki::with_openssl_reason(fmt::format("{}: OpenSSL could not load cafile/capath", where)));
        }
        if (file != nullptr) {
            // Tells clients which CA to pick a certificate from (they list it, e.g. openssl s_client).
            if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(file))
                SSL_CTX_set_client_CA_list(ctx, names);
        }
    }
    if (!s.crlfile.empty()) {
        if (auto ok = load_crls(ctx, info, trusted); !ok) return std::unexpected(ok.error());
    }
    // Mosquitto asks for a client certificate only when it requires one.
    set_verify_with_capture(
        ctx, s.require_certificate ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_NONE);
    ERR_clear_error();
    return std::make_shared<const ServerContext>(std::move(context), std::move(info), std::move(warnings));
}

}  // namespace culex::tls
