#include "tls/client_context.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <fmt/format.h>

#include "pki/builder.hpp"
#include "tls/credentials.hpp"
#include "tls/file_checks.hpp"
#include "tls/server_context.hpp"
#include "tls/verify_capture.hpp"

namespace culex::tls {

namespace {

constexpr std::string_view kWhere = "";

int requested_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

// Notes a CertificateRequest from the server, for explain and doctor ("client certificate requested").
void on_message(int write_p, int, int content_type, const void* buf, size_t len, SSL* ssl, void*) {
    if (write_p != 0 || content_type != SSL3_RT_HANDSHAKE || len == 0) return;
    if (static_cast<const unsigned char*>(buf)[0] == SSL3_MT_CERTIFICATE_REQUEST) {
        static int marker = 1;
        SSL_set_ex_data(ssl, requested_index(), &marker);
    }
}

// "mqtt" -> "\x04mqtt", the wire form SSL_CTX_set_alpn_protos wants.
std::string alpn_wire(const std::string& protocol) {
    std::string out(1, static_cast<char>(protocol.size()));
    out += protocol;
    return out;
}

}  // namespace

ClientContext::ClientContext(boost::asio::ssl::context context, ClientContextInfo info)
    : context_(std::move(context)), info_(std::move(info)) {}

std::string_view insecure_notice() {
    return "Warning: --insecure: the broker's host name is not checked against its certificate, so anyone "
           "holding a certificate from your CA can pose as the broker.";
}

bool certificate_was_requested(const SSL* ssl) {
    return ssl != nullptr && SSL_get_ex_data(ssl, requested_index()) != nullptr;
}

Result<ClientContextPtr> make_client_context(const ClientSettings& s) {
    ClientContextInfo info;
    info.settings = s;
    if (s.certfile.empty() != s.keyfile.empty()) {
        return fail(fmt::format(
            "Both certfile and keyfile must be provided if one of them is set: give {} and {} together",
            s.names.cert, s.names.key));
    }
    if (!s.alpn.empty() && s.alpn.size() > 255)
        return fail(fmt::format("{}: a protocol name has at most 255 bytes", s.names.alpn));

    boost::asio::ssl::context context(boost::asio::ssl::context::tls_client);
    SSL_CTX* ctx = context.native_handle();
    ERR_clear_error();
    SSL_CTX_set_min_proto_version(ctx, min_protocol_version(s.min_version));
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);

    if (!s.cafile.empty()) {
        auto trusted = load_ca_file(s.cafile, s.names.cafile, kWhere);
        if (!trusted) return std::unexpected(trusted.error());
        info.trusted = summarize_all(*trusted);
        X509_STORE* store = SSL_CTX_get_cert_store(ctx);
        for (const auto& ca : *trusted)
            X509_STORE_add_cert(store, ca.get());
    }
    if (!s.capath.empty()) {
        if (auto ok = check_readable_directory(s.capath, s.names.capath, kWhere); !ok)
            return std::unexpected(ok.error());
        if (SSL_CTX_load_verify_locations(ctx, nullptr, s.capath.c_str()) != 1) {
            return fail(pki::with_openssl_reason(
                fmt::format("{} \"{}\": OpenSSL could not use it", s.names.capath, s.capath)));
        }
    }
    // A client certificate alone (no CA given) trusts the system store, as --tls-use-os-certs does.
    if (s.use_os_certs || (s.cafile.empty() && s.capath.empty())) SSL_CTX_set_default_verify_paths(ctx);

    if (!s.certfile.empty()) {
        auto credentials =
            load_credentials(s.certfile, s.keyfile, std::nullopt, {s.names.cert, s.names.key}, kWhere);
        if (!credentials) return std::unexpected(credentials.error());
        info.certificate = credentials->certificate;
        if (auto ok = use_credentials(ctx, *credentials); !ok) {
            return fail(fmt::format("{} \"{}\": {}", s.names.cert, s.certfile, ok.error().message));
        }
    }
    if (!s.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, s.ciphers.c_str()) != 1) {
        return fail(
            fmt::format("{} \"{}\" names no cipher OpenSSL knows ({}); check it with `openssl "
                        "ciphers -v '{}'`",
                        s.names.ciphers, s.ciphers, pki::drain_openssl_errors(), s.ciphers));
    }
    if (!s.ciphersuites.empty() && SSL_CTX_set_ciphersuites(ctx, s.ciphersuites.c_str()) != 1) {
        return fail(
            fmt::format("{} \"{}\" names no TLS 1.3 ciphersuite OpenSSL knows ({}); write names such as "
                        "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256, separated by ':'",
                        s.names.ciphersuites, s.ciphersuites, pki::drain_openssl_errors()));
    }
    if (!s.alpn.empty()) {
        auto wire = alpn_wire(s.alpn);
        if (SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(wire.data()),
                                    static_cast<unsigned>(wire.size())) != 0) {
            return fail(fmt::format("{} \"{}\": OpenSSL refused it", s.names.alpn, s.alpn));
        }
    }
    set_verify_with_capture(ctx, SSL_VERIFY_PEER);
    requested_index();
    SSL_CTX_set_msg_callback(ctx, on_message);
    ERR_clear_error();
    return std::make_shared<const ClientContext>(std::move(context), std::move(info));
}

Result<void> prepare_client_connection(SSL* ssl, const ClientContext& context, const std::string& host) {
    bool ip = pki::is_ip_address(host);
    // SNI carries host names only (RFC 6066 forbids addresses).
    if (!ip && !host.empty() && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
        return fail(pki::with_openssl_reason(fmt::format("cannot send the host name \"{}\" (SNI)", host)));
    }
    if (context.info().settings.insecure) return {};
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    if (ok != 1) return fail(fmt::format("cannot check the broker's certificate against host \"{}\"", host));
    return {};
}

}  // namespace culex::tls
