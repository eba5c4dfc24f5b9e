#include "tls/explain.hpp"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

#include <fmt/format.h>

#include <algorithm>

#include "pki/verify.hpp"
#include "tls/client_context.hpp"
#include "tls/credentials.hpp"
#include "tls/server_context.hpp"
#include "tls/verify_capture.hpp"

namespace culex::tls {

namespace {

constexpr std::string_view kFixMarker = "; fix: ";

// pki's explanations read "cause; fix: what to do": split them so that each side can be placed.
std::pair<std::string, std::string> split_fix(const std::string& text) {
    auto at = text.find(kFixMarker);
    if (at == std::string::npos) return {text, ""};
    return {text.substr(0, at), text.substr(at + kFixMarker.size())};
}

bool is_ssl_reason(const HandshakeError& error, int reason) {
    return error.openssl_error != 0 && ERR_GET_LIB(error.openssl_error) == ERR_LIB_SSL &&
           ERR_GET_REASON(error.openssl_error) == reason;
}

template <typename... Reasons>
bool any_reason(const HandshakeError& error, Reasons... reasons) {
    return (is_ssl_reason(error, reasons) || ...);
}

bool version_problem(const HandshakeError& e) {
    return any_reason(e, SSL_R_UNSUPPORTED_PROTOCOL, SSL_R_VERSION_TOO_LOW, SSL_R_VERSION_TOO_HIGH,
                      SSL_R_WRONG_SSL_VERSION, SSL_R_TLSV1_ALERT_PROTOCOL_VERSION,
                      SSL_R_NO_PROTOCOLS_AVAILABLE, SSL_R_UNSUPPORTED_SSL_VERSION);
}

// What a peer that does not speak TLS makes OpenSSL say about its first bytes.
bool not_tls(const HandshakeError& e) {
    return any_reason(e, SSL_R_WRONG_VERSION_NUMBER, SSL_R_HTTP_REQUEST, SSL_R_HTTPS_PROXY_REQUEST,
                      SSL_R_UNKNOWN_PROTOCOL, SSL_R_PACKET_LENGTH_TOO_LONG, SSL_R_RECORD_LENGTH_MISMATCH,
                      SSL_R_WRONG_VERSION_NUMBER);
}

bool peer_hung_up(const HandshakeError& e) {
    return e.peer_closed || any_reason(e, SSL_R_UNEXPECTED_EOF_WHILE_READING);
}

std::string reason_text(const HandshakeError& error) {
    if (error.openssl_error != 0) return openssl_reason(error.openssl_error);
    if (error.peer_closed) return error.system_error.empty() ? "connection closed" : error.system_error;
    return error.system_error;
}

std::string where_names(const pki::CertificateSummary& cert) {
    if (cert.subject_alt_names && !cert.subject_alt_names->empty()) {
        return fmt::format("which holds {}", cert.subject_alt_names->to_string());
    }
    return fmt::format("which has no subjectAltName at all (CN \"{}\"{})", cert.subject_cn,
                       cert.version < 3 ? ", X.509 v1" : "");
}

bool has_finding(const ServerContextInfo& info, pki::FindingCode code) {
    return std::any_of(info.certificate_findings.begin(), info.certificate_findings.end(),
                       [&](const pki::Finding& f) { return f.code == code; });
}

bool trusts_subject(const std::vector<pki::CertificateSummary>& trusted, const std::string& subject) {
    return std::any_of(trusted.begin(), trusted.end(), [&](const auto& t) { return t.subject == subject; });
}

void finish_line(HandshakeExplanation& e, std::string_view head) {
    std::string reason = e.openssl_reason.empty() ? std::string() : fmt::format(" ({})", e.openssl_reason);
    e.line = fmt::format("{}{}: {}", head, reason, e.cause);
    if (!e.fix.empty()) e.line += fmt::format("; fix: {}", e.fix);
}

// The peer's certificate did not verify: pki's words for the verify error, naming our trust store.
void explain_verify_failure(HandshakeExplanation& e, const VerifyFailure& failure,
                            const std::vector<pki::CertificateSummary>& trusted, std::string_view store_name,
                            const std::optional<std::string>& host) {
    e.openssl_reason =
        fmt::format("certificate verify failed: {}", X509_verify_cert_error_string(failure.error));
    std::string text = pki::explain_verify_error(failure.error, failure.certificate, trusted, host);
    for (std::size_t at = text.find("the CA file"); at != std::string::npos;
         at = text.find("the CA file", at + 1)) {
        text.replace(at, std::string_view("the CA file").size(), store_name);
    }
    std::tie(e.cause, e.fix) = split_fix(text);
    if (failure.depth > 0 && failure.leaf) {
        e.cause = fmt::format("{} (in the chain of \"{}\")", e.cause, failure.leaf->subject);
    }
}

}  // namespace

HandshakeError handshake_error(const boost::system::error_code& ec) {
    HandshakeError out;
    if (!ec) return out;
    if (ec.category() == boost::asio::error::get_ssl_category()) {
        out.openssl_error = static_cast<unsigned long>(static_cast<unsigned int>(ec.value()));
        return out;
    }
    if (ec == boost::asio::ssl::error::stream_truncated || ec == boost::asio::error::eof) {
        out.peer_closed = true;
        return out;
    }
    if (ec == boost::asio::error::connection_reset || ec == boost::asio::error::broken_pipe ||
        ec == boost::asio::error::connection_aborted) {
        out.peer_closed = true;
    }
    out.system_error = ec.message();
    return out;
}

std::string_view to_string(HandshakeProblem problem) {
    switch (problem) {
        case HandshakeProblem::no_client_certificate:
            return "no-client-certificate";
        case HandshakeProblem::client_certificate_rejected:
            return "client-certificate-rejected";
        case HandshakeProblem::our_certificate_rejected:
            return "our-certificate-rejected";
        case HandshakeProblem::server_certificate_rejected:
            return "server-certificate-rejected";
        case HandshakeProblem::host_mismatch:
            return "host-mismatch";
        case HandshakeProblem::certificate_required:
            return "certificate-required";
        case HandshakeProblem::protocol_version:
            return "protocol-version";
        case HandshakeProblem::no_shared_cipher:
            return "no-shared-cipher";
        case HandshakeProblem::not_tls:
            return "not-tls";
        case HandshakeProblem::peer_closed:
            return "peer-closed";
        case HandshakeProblem::other:
            return "other";
    }
    return "other";
}

HandshakeExplanation explain_server_handshake(const ServerContextInfo& info, const SSL* ssl,
                                              const HandshakeError& error, std::string_view peer) {
    HandshakeExplanation e;
    e.openssl_reason = reason_text(error);
    const auto& s = info.settings;
    const auto& cert = info.certificate;
    std::string certfile = fmt::format("certfile \"{}\"", s.certfile);
    std::string cafile =
        s.cafile.empty() ? fmt::format("capath \"{}\"", s.capath) : fmt::format("cafile \"{}\"", s.cafile);

    if (const VerifyFailure* failure = captured_verify_failure(ssl)) {
        e.problem = HandshakeProblem::client_certificate_rejected;
        explain_verify_failure(e, *failure, info.trusted, cafile, std::nullopt);
        e.cause = "the client's certificate was refused: " + e.cause;
    } else if (is_ssl_reason(error, SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE)) {
        e.problem = HandshakeProblem::no_client_certificate;
        e.cause = "the client sent no certificate, but require_certificate is true on this listener";
        e.fix = fmt::format(
            "give the client a certificate issued by the CA in {} (culex pki client --name ID, then "
            "--cert ID.crt --key ID.key), or set require_certificate false",
            cafile);
    } else if (is_ssl_reason(error, SSL_R_CERTIFICATE_VERIFY_FAILED)) {
        e.problem = HandshakeProblem::client_certificate_rejected;
        long result = ssl != nullptr ? SSL_get_verify_result(ssl) : X509_V_OK;
        e.cause = fmt::format("the client's certificate did not verify against {}: {}", cafile,
                              X509_verify_cert_error_string(result));
        e.fix = fmt::format("issue the client's certificate from the CA in {}", cafile);
    } else if (any_reason(error, SSL_R_TLSV1_ALERT_UNKNOWN_CA, SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN)) {
        e.problem = HandshakeProblem::our_certificate_rejected;
        if (has_finding(info, pki::FindingCode::subject_equals_issuer)) {
            e.cause = fmt::format(
                "the client rejected our certificate: {} has the same subject as its issuer (\"{}\"), so "
                "clients take it for self-signed and never look for the CA",
                certfile, cert.subject);
            e.fix = "reissue it with a name distinct from the CA's: culex pki server --name HOST";
        } else if (cert.self_signed) {
            e.cause = fmt::format("the client does not trust our certificate: {} is self-signed (\"{}\")",
                                  certfile, cert.subject);
            e.fix = fmt::format(
                "give the client that file itself as its CA file (--cafile {}), or issue the "
                "server certificate from a CA (culex pki init, culex pki server --name HOST)",
                s.certfile);
        } else {
            e.cause = fmt::format(
                "the client rejected our certificate: it does not trust the CA that issued {} "
                "(issuer \"{}\")",
                certfile, cert.issuer);
            e.fix = trusts_subject(info.trusted, cert.issuer)
                        ? fmt::format("give the client that CA file (--cafile {})", s.cafile)
                        : "give the client that CA's certificate as its CA file (--cafile ca.crt)";
        }
    } else if (is_ssl_reason(error, SSL_R_SSLV3_ALERT_BAD_CERTIFICATE)) {
        e.problem = HandshakeProblem::our_certificate_rejected;
        e.cause = fmt::format(
            "the client rejected our certificate as bad: most often the host name it connected to is not in "
            "{}, "
            "{}; or by the client's clock the certificate is not valid yet (valid from {})",
            certfile, where_names(cert), pki::format_time(cert.not_before));
        e.fix =
            "connect with a name the certificate holds, or reissue it with the name clients use: culex pki "
            "server --name HOST [--dns NAME] [--ip ADDR] --force";
    } else if (is_ssl_reason(error, SSL_R_TLSV1_ALERT_INTERNAL_ERROR)) {
        e.problem = HandshakeProblem::our_certificate_rejected;
        e.cause = fmt::format(
            "the client aborted the handshake with an internal error: often a check of our certificate "
            "failed on "
            "its side, such as the host name it connected to ({}, {})",
            certfile, where_names(cert));
        e.fix =
            "see the client's own error; connect with a name the certificate holds, or reissue it: culex pki "
            "server --name HOST [--ip ADDR] --force";
    } else if (is_ssl_reason(error, SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED)) {
        e.problem = HandshakeProblem::our_certificate_rejected;
        e.cause =
            fmt::format("the client says our certificate (or its CRL) has expired: {} is valid from {} to {}",
                        certfile, pki::format_time(cert.not_before), pki::format_time(cert.not_after));
        e.fix =
            "if those dates include today, the client's clock is wrong; else reissue the certificate "
            "(culex pki server --name HOST --force) and send SIGHUP";
    } else if (is_ssl_reason(error, SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED)) {
        e.problem = HandshakeProblem::our_certificate_rejected;
        e.cause = fmt::format("the client's CRL says our certificate ({}, serial {}) is revoked", certfile,
                              cert.serial_hex);
        e.fix = "issue a new server certificate (culex pki server --name HOST --force) and send SIGHUP";
    } else if (is_ssl_reason(error, SSL_R_TLSV1_ALERT_DECRYPT_ERROR)) {
        e.problem = HandshakeProblem::our_certificate_rejected;
        e.cause = fmt::format(
            "the client could not verify our certificate's signature: it trusts a CA named \"{}\" but not "
            "the "
            "one that signed {} (the CA was made again, or another machine made one with that name)",
            cert.issuer, certfile);
        e.fix = "give the client the ca.crt of the pki directory that issued the server certificate";
    } else if (version_problem(error)) {
        e.problem = HandshakeProblem::protocol_version;
        int min = min_protocol_version(s.min_version);
        e.cause = fmt::format("no TLS version in common: this listener accepts {} and later{}",
                              protocol_version_name(min), s.min_version ? " (tls_version)" : "");
        e.fix = min == TLS1_3_VERSION
                    ? "update the client to TLS 1.3, or remove `tls_version tlsv1.3`"
                    : "update the client to TLS 1.2 or later (mosquitto_pub: --tls-version "
                      "tlsv1.2), or, if it cannot be, set tls_version tlsv1.1 on this listener";
    } else if (is_ssl_reason(error, SSL_R_NO_SHARED_CIPHER)) {
        e.problem = HandshakeProblem::no_shared_cipher;
        e.cause = s.ciphers.empty()
                      ? "no cipher in common with the client"
                      : fmt::format("no cipher in common with the client (ciphers \"{}\")", s.ciphers);
        e.fix = "widen or remove the listener's ciphers/ciphers_tls1.3 lines, or update the client";
    } else if (not_tls(error)) {
        e.problem = HandshakeProblem::not_tls;
        bool http = any_reason(error, SSL_R_HTTP_REQUEST, SSL_R_HTTPS_PROXY_REQUEST);
        e.cause = http ? "the client sent an HTTP request, not a TLS handshake"
                       : "the client did not start a TLS handshake: it sent plain MQTT (or something else) "
                         "to this TLS "
                         "listener";
        e.fix =
            "connect with TLS (culex pub/mosquitto_pub --cafile ca.crt), or use the broker's plain listener";
    } else if (peer_hung_up(error)) {
        e.problem = HandshakeProblem::peer_closed;
        e.cause = fmt::format(
            "the client closed the connection during the handshake without an alert: some clients "
            "(Mosquitto's "
            "among them) hang up when they do not trust our certificate ({}, issuer \"{}\") or do not find "
            "the "
            "host name they used in it ({}); the client's own error says which; or it was only a port check",
            certfile, cert.issuer, where_names(cert));
        e.fix = "";
    } else {
        e.problem = HandshakeProblem::other;
        e.cause = error.openssl_error != 0 ? "the TLS handshake failed"
                                           : "the connection failed during the TLS handshake";
    }
    finish_line(e, fmt::format("TLS handshake with {} on {} failed", peer, info.where));
    return e;
}

HandshakeExplanation explain_client_handshake(const ClientContextInfo& info, const SSL* ssl,
                                              const HandshakeError& error, std::string_view host,
                                              unsigned port) {
    HandshakeExplanation e;
    e.openssl_reason = reason_text(error);
    const auto& s = info.settings;
    std::string store = !s.cafile.empty()   ? fmt::format("your {} \"{}\"", s.names.cafile, s.cafile)
                        : !s.capath.empty() ? fmt::format("your {} \"{}\"", s.names.capath, s.capath)
                                            : std::string("the system's CA store");
    bool gave_certificate = !s.certfile.empty();
    std::string our_cert =
        gave_certificate ? fmt::format("{} \"{}\"", s.names.cert, s.certfile) : std::string();

    if (const VerifyFailure* failure = captured_verify_failure(ssl)) {
        if (failure->error == X509_V_ERR_HOSTNAME_MISMATCH ||
            failure->error == X509_V_ERR_IP_ADDRESS_MISMATCH) {
            e.problem = HandshakeProblem::host_mismatch;
            e.openssl_reason =
                fmt::format("certificate verify failed: {}", X509_verify_cert_error_string(failure->error));
            std::tie(e.cause, e.fix) = split_fix(pki::explain_host_mismatch(failure->certificate, host));
            e.fix += fmt::format(" ({} skips this check, but then anyone can pose as the broker)",
                                 s.names.insecure);
        } else {
            e.problem = HandshakeProblem::server_certificate_rejected;
            explain_verify_failure(e, *failure, info.trusted, store, std::string(host));
            e.cause = "the broker's certificate was refused: " + e.cause;
        }
    } else if (is_ssl_reason(error, SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED) ||
               (!gave_certificate && certificate_was_requested(ssl) &&
                any_reason(error, SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE, SSL_R_SSLV3_ALERT_BAD_CERTIFICATE))) {
        e.problem = HandshakeProblem::certificate_required;
        e.cause = "the broker asked for a client certificate and none was given";
        std::string from;
        if (STACK_OF(X509_NAME)* names = SSL_get_client_CA_list(ssl);
            names != nullptr && sk_X509_NAME_num(names) > 0) {
            from = fmt::format(" issued by \"{}\"", pki::name_to_string(sk_X509_NAME_value(names, 0)));
        }
        e.fix = fmt::format("add {} FILE {} FILE, a certificate{} (culex pki client --name ID makes one)",
                            s.names.cert, s.names.key, from);
    } else if (gave_certificate &&
               any_reason(error, SSL_R_TLSV1_ALERT_UNKNOWN_CA, SSL_R_SSLV3_ALERT_BAD_CERTIFICATE,
                          SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN, SSL_R_TLSV1_ALERT_DECRYPT_ERROR)) {
        e.problem = HandshakeProblem::our_certificate_rejected;
        std::string issuer = info.certificate ? info.certificate->issuer : std::string("?");
        e.cause = fmt::format(
            "the broker refused our certificate ({}, issued by \"{}\"): it is not issued by a CA "
            "in the broker's cafile",
            our_cert, issuer);
        e.fix =
            "use a certificate from the CA the broker trusts (culex pki client --name ID in the broker's pki "
            "directory), or add its CA to the broker's cafile";
    } else if (gave_certificate && is_ssl_reason(error, SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED)) {
        e.problem = HandshakeProblem::our_certificate_rejected;
        e.cause = fmt::format("the broker says our certificate ({}) has expired{}", our_cert,
                              info.certificate
                                  ? " (valid until " + pki::format_time(info.certificate->not_after) + ")"
                                  : std::string());
        e.fix = "get a new one (culex pki client --name ID --force), or fix the broker's clock";
    } else if (is_ssl_reason(error, SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED)) {
        e.problem = HandshakeProblem::our_certificate_rejected;
        e.cause = fmt::format("the broker's crlfile lists our certificate ({}{}) as revoked", our_cert,
                              info.certificate ? ", serial " + info.certificate->serial_hex : std::string());
        e.fix = "get a new certificate from the CA (culex pki client --name ID --force)";
    } else if (version_problem(error)) {
        e.problem = HandshakeProblem::protocol_version;
        e.cause = fmt::format("no TLS version in common with the broker (we offer {} and later)",
                              protocol_version_name(min_protocol_version(s.min_version)));
        e.fix = fmt::format("use {} to match the broker's tls_version", s.names.tls_version);
    } else if (is_ssl_reason(error, SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE)) {
        e.problem = HandshakeProblem::no_shared_cipher;
        e.cause = "the broker refused the handshake: usually no cipher in common";
        e.fix = fmt::format("drop or widen {}, or check the broker's ciphers line", s.names.ciphers);
    } else if (not_tls(error)) {
        e.problem = HandshakeProblem::not_tls;
        e.cause =
            fmt::format("the broker did not answer in TLS: port {} looks like a plain MQTT listener", port);
        e.fix = "connect without the TLS options, or to the broker's TLS port (8883 by convention)";
    } else if (peer_hung_up(error)) {
        e.problem = HandshakeProblem::peer_closed;
        e.cause = fmt::format(
            "the broker closed the connection during the TLS handshake: port {} is probably a plain MQTT "
            "listener "
            "(it hangs up on a TLS hello), or the broker refused us without an alert (its log says why)",
            port);
        e.fix = fmt::format("check the port; culex doctor connect -h {} -p {} runs each step", host, port);
    } else {
        e.problem = HandshakeProblem::other;
        e.cause = error.openssl_error != 0 ? "the TLS handshake failed"
                                           : "the connection failed during the TLS handshake";
    }
    finish_line(e, fmt::format("TLS handshake with {}:{} failed", host, port));
    return e;
}

}  // namespace culex::tls
