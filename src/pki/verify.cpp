#include "pki/verify.hpp"

#include <openssl/x509_vfy.h>

#include <algorithm>

#include <fmt/format.h>

#include "pki/builder.hpp"

namespace culex::pki {

namespace {

struct Collected {
    struct Entry {
        int error;
        int depth;
        CertificateSummary cert;
    };
    std::vector<Entry> entries;
};

// Records every failure and lets OpenSSL carry on, so one run reports all that is wrong (expired AND
// wrong host), not just the first check in OpenSSL's order.
int collect_errors(int ok, X509_STORE_CTX* ctx) {
    if (ok == 1) return 1;
    auto* collected = static_cast<Collected*>(X509_STORE_CTX_get_app_data(ctx));
    int error = X509_STORE_CTX_get_error(ctx);
    int depth = X509_STORE_CTX_get_error_depth(ctx);
    bool seen = std::any_of(collected->entries.begin(), collected->entries.end(),
                            [&](const auto& e) { return e.error == error && e.depth == depth; });
    if (!seen) {
        X509* current = X509_STORE_CTX_get_current_cert(ctx);
        collected->entries.push_back(
            {error, depth, current != nullptr ? summarize(current) : CertificateSummary{}});
    }
    return 1;
}

std::string quoted_subjects(const std::vector<CertificateSummary>& certs) {
    std::vector<std::string> names;
    for (const auto& c : certs)
        names.push_back("\"" + c.subject + "\"");
    return names.empty() ? std::string("nothing") : fmt::format("{}", fmt::join(names, ", "));
}

std::string purpose_words(const CertificateSummary& cert) {
    if (!cert.extended_key_usage) return "";
    return fmt::format(" (its extendedKeyUsage allows only: {})", fmt::join(*cert.extended_key_usage, ", "));
}

std::string untrusted_issuer(const CertificateSummary& cert, const std::vector<CertificateSummary>& trusted) {
    bool same_name =
        std::any_of(trusted.begin(), trusted.end(), [&](const auto& t) { return t.subject == cert.issuer; });
    if (same_name) {
        return fmt::format(
            "certificate not trusted: it was issued by \"{}\", and the CA file holds a CA of that "
            "name, but not the one that signed it (a different key: the CA was made again, or "
            "another machine made a CA with the same name); fix: use the ca.crt from the same pki "
            "directory that issued \"{}\", or reissue the certificate from your CA",
            cert.issuer, cert.subject);
    }
    return fmt::format(
        "certificate not trusted: issued by \"{}\", which is not in the CA file (it holds {}); fix: "
        "give the peer the CA certificate that issued it (ca.crt of that pki directory), or reissue "
        "the certificate from the CA you trust",
        cert.issuer, quoted_subjects(trusted));
}

}  // namespace

std::string explain_host_mismatch(const CertificateSummary& cert, std::string_view host) {
    bool ip = is_ip_address(host);
    const char* kind = ip ? "IP address" : "host name";
    std::string fix =
        ip ? fmt::format("reissue it with this address: culex pki server --name {} --ip {} --force",
                         cert.subject_cn.empty() ? "NAME" : cert.subject_cn, host)
           : fmt::format(
                 "connect with a name it holds, or reissue it: culex pki server --name {} "
                 "--force",
                 host);
    if (!cert.subject_alt_names || cert.subject_alt_names->empty()) {
        return fmt::format(
            "{} \"{}\" is not in the certificate, which has no subjectAltName at all (CN \"{}\"; "
            "clients match subjectAltName){}; fix: {}",
            kind, host, cert.subject_cn, cert.version < 3 ? ", being X.509 v1" : "", fix);
    }
    return fmt::format("{} \"{}\" is not in the certificate's subjectAltName, which holds {}; fix: {}", kind,
                       host, cert.subject_alt_names->to_string(), fix);
}

std::string explain_verify_error(int error, const CertificateSummary& cert,
                                 const std::vector<CertificateSummary>& trusted,
                                 const std::optional<std::string>& host) {
    switch (error) {
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            return untrusted_issuer(cert, trusted);
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
            if (!cert.self_signed) {
                return fmt::format(
                    "the certificate's subject \"{}\" is the same as its issuer's, so it looks "
                    "self-signed and its CA is never consulted; fix: reissue it with a name distinct "
                    "from the CA's: culex pki server --name HOST (or client --name ID)",
                    cert.subject);
            }
            return fmt::format(
                "self-signed certificate \"{}\", not issued by a CA in the CA file (it holds {}); "
                "fix: issue it from your CA (culex pki server/client)",
                cert.subject, quoted_subjects(trusted));
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
            return fmt::format(
                "the chain ends in the CA \"{}\", which is not in the CA file (it holds {}); fix: "
                "trust that CA (its ca.crt) or reissue the certificate from yours",
                cert.subject, quoted_subjects(trusted));
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return fmt::format(
                "the certificate \"{}\" expired on {}; fix: reissue it (culex pki server|client "
                "--name {} --force)",
                cert.subject, format_time(cert.not_after), cert.subject_cn);
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return fmt::format(
                "the certificate \"{}\" is not valid before {}: a clock is wrong, here or where it "
                "was made; fix: check the clocks (timedatectl)",
                cert.subject, format_time(cert.not_before));
        case X509_V_ERR_CERT_REVOKED:
            return fmt::format(
                "the certificate \"{}\" (serial {}) has been revoked by its CA; fix: issue a new one",
                cert.subject, cert.serial_hex);
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            return explain_host_mismatch(cert, host.value_or(""));
        case X509_V_ERR_INVALID_PURPOSE:
            return fmt::format(
                "the certificate \"{}\" is not meant for this use{}; fix: issue the right kind "
                "(culex pki server for a broker, culex pki client for a client)",
                cert.subject, purpose_words(cert));
        case X509_V_ERR_INVALID_CA:
            return fmt::format(
                "\"{}\" is used as a CA but is not one (no basicConstraints CA:TRUE); fix: the CA "
                "file must hold the CA certificate (culex pki init makes one)",
                cert.subject);
        case X509_V_ERR_UNABLE_TO_GET_CRL:
            return fmt::format(
                "revocation is checked but there is no CRL from \"{}\"; fix: make one with culex pki "
                "crl and point crlfile at it",
                cert.issuer);
        case X509_V_ERR_CRL_HAS_EXPIRED:
            return "the CRL has passed its next-update date, so OpenSSL no longer trusts it; fix: make a "
                   "fresh one "
                   "with culex pki crl";
        case X509_V_ERR_CRL_NOT_YET_VALID:
            return "the CRL is not valid yet: a clock is wrong; fix: check the clocks";
        case X509_V_ERR_CERT_SIGNATURE_FAILURE:
            return fmt::format(
                "the signature on \"{}\" does not verify with its issuer's key: it was altered, or "
                "its CA was made again; fix: reissue it from your current CA",
                cert.subject);
        case X509_V_ERR_EE_KEY_TOO_SMALL:
        case X509_V_ERR_CA_KEY_TOO_SMALL:
            return fmt::format(
                "the key of \"{}\" ({}) is too small for OpenSSL's security level; fix: reissue it "
                "with the default ec:P-256 key",
                cert.subject, cert.key.text);
        case X509_V_ERR_CA_MD_TOO_WEAK:
            return fmt::format(
                "\"{}\" is signed with {}, too weak for OpenSSL's security level; fix: reissue it",
                cert.subject, cert.signature_algorithm);
        default:
            return fmt::format("{} (certificate \"{}\")", X509_verify_cert_error_string(error), cert.subject);
    }
}

bool certificate_matches_host(X509* cert, std::string_view host) {
    std::string h(host);
    if (is_ip_address(h)) return X509_check_ip_asc(cert, h.c_str(), 0) == 1;
    return X509_check_host(cert, h.data(), h.size(), 0, nullptr) == 1;
}

VerifyResult verify_certificate(X509* cert, const std::vector<X509Ptr>& trusted,
                                const std::vector<X509Ptr>& intermediates, const VerifyOptions& options) {
    clear_openssl_errors();
    VerifyResult result;
    std::vector<CertificateSummary> trusted_summaries;
    X509StorePtr store(X509_STORE_new());
    for (const auto& ca : trusted) {
        X509_STORE_add_cert(store.get(), ca.get());
        trusted_summaries.push_back(summarize(ca.get()));
    }
    X509StackPtr chain_in(sk_X509_new_null());
    for (const auto& c : intermediates)
        sk_X509_push(chain_in.get(), share(c.get()).release());

    X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    Collected collected;
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), cert, chain_in.get()) != 1) {
        result.problems.push_back({0, 0, drain_openssl_errors(), "could not set up verification"});
        return result;
    }
    X509_STORE_CTX_set_app_data(ctx.get(), &collected);
    X509_STORE_CTX_set_verify_cb(ctx.get(), collect_errors);
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    if (options.purpose == CertificateRole::server)
        X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
    if (options.purpose == CertificateRole::client)
        X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
    if (options.host) {
        if (is_ip_address(*options.host)) {
            X509_VERIFY_PARAM_set1_ip_asc(param, options.host->c_str());
        } else {
            X509_VERIFY_PARAM_set1_host(param, options.host->c_str(), options.host->size());
        }
    }
    if (options.at)
        X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(options.at->time_since_epoch().count()));
    STACK_OF(X509_CRL)* crls = nullptr;
    if (!options.crls.empty()) {
        crls = sk_X509_CRL_new_null();
        for (X509_CRL* crl : options.crls)
            sk_X509_CRL_push(crls, crl);
        X509_STORE_CTX_set0_crls(ctx.get(), crls);
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK);
    }

    int verified = X509_verify_cert(ctx.get());
    if (STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get())) {
        for (int i = 0; i < sk_X509_num(chain); ++i)
            result.chain.push_back(name_to_string(X509_get_subject_name(sk_X509_value(chain, i))));
    }
    if (crls != nullptr) sk_X509_CRL_free(crls);  // the stack only: the CRLs are the caller's
    result.ok = verified == 1 && collected.entries.empty();
    for (const auto& entry : collected.entries) {
        result.problems.push_back(
            {entry.error, entry.depth, X509_verify_cert_error_string(entry.error),
             explain_verify_error(entry.error, entry.cert, trusted_summaries, options.host)});
    }
    if (!result.ok && result.problems.empty()) {
        int error = X509_STORE_CTX_get_error(ctx.get());
        result.problems.push_back(
            {error, X509_STORE_CTX_get_error_depth(ctx.get()), X509_verify_cert_error_string(error),
             explain_verify_error(error, summarize(cert), trusted_summaries, options.host)});
    }
    clear_openssl_errors();
    return result;
}

}  // namespace culex::pki
