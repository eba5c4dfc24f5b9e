// explain: a failed TLS handshake in one sentence with its likely cause and fix, for the broker's log, the
// clients' error and `culex doctor`. Inputs are what a handshake leaves behind: the error (Asio's error_code,
// or OpenSSL's packed error code), the SSL object (verification result, the certificate that failed), and
// the context's info (our certificate, the CAs we trust, require_certificate).
//
// Broker, after a failed async_handshake on a TLS listener:
//     auto e = tls::explain_server_handshake(context->info(), stream.native_handle(),
//                                            tls::handshake_error(ec), peer);
//     log(LogType::notice, "{}", e.line);
#pragma once

#include <openssl/ssl.h>

#include <boost/system/error_code.hpp>

#include <string>
#include <string_view>

namespace culex::tls {

struct ServerContextInfo;
struct ClientContextInfo;

// What ended the handshake.
struct HandshakeError {
    unsigned long openssl_error = 0;  // packed ERR code (ERR_get_error()), 0 when OpenSSL reported none
    bool peer_closed = false;         // the peer closed the connection before the handshake finished
    std::string system_error;         // e.g. "Connection reset by peer"; empty when none
};

// From the error_code of boost::asio::ssl::stream::async_handshake (or a later read).
HandshakeError handshake_error(const boost::system::error_code& ec);

enum class HandshakeProblem {
    no_client_certificate,        // server: require_certificate, the client sent none
    client_certificate_rejected,  // server: the client's certificate did not verify against cafile/crlfile
    our_certificate_rejected,     // the peer sent an alert about our certificate (unknown ca, bad
                                  // certificate...)
    server_certificate_rejected,  // client: the broker's certificate did not verify
    host_mismatch,                // client: the host we connected to is not in the broker's certificate
    certificate_required,         // client: the broker asked for a certificate and we had none
    protocol_version,             // no TLS version in common
    no_shared_cipher,             // no cipher in common
    not_tls,                      // the peer does not speak TLS (plain MQTT on a TLS port, or the reverse)
    peer_closed,                  // the peer hung up during the handshake
    other,
};

struct HandshakeExplanation {
    HandshakeProblem problem = HandshakeProblem::other;
    std::string openssl_reason;  // OpenSSL's words ("tlsv1 alert unknown ca"), or the verify error's
    std::string cause;           // what happened and why, in plain words
    std::string fix;             // what to do; may be empty
    std::string line;            // the one line to log or print: names the peer, reason, cause and fix
};

// A failed server-side handshake on a listener; `peer` is "ADDR:PORT".
HandshakeExplanation explain_server_handshake(const ServerContextInfo& context, const SSL* ssl,
                                              const HandshakeError& error, std::string_view peer);

// A failed client-side handshake (or a TLS alert read right after it: TLS 1.3 servers refuse a client
// certificate after the client has finished). `host` and `port` are what the client connected to.
HandshakeExplanation explain_client_handshake(const ClientContextInfo& context, const SSL* ssl,
                                              const HandshakeError& error, std::string_view host,
                                              unsigned port);

std::string_view to_string(HandshakeProblem problem);

}  // namespace culex::tls
