// What certificate verification found wrong during a handshake, kept on the SSL object so that explain can
// name the certificate that failed. OpenSSL forgets a peer certificate that did not verify (a server never
// stores it), so a verify callback records the failure as it happens.
#pragma once

#include <openssl/ssl.h>

#include <optional>

#include "pki/summary.hpp"

namespace culex::tls {

struct VerifyFailure {
    int error = 0;                                // X509_V_ERR_*
    int depth = 0;                                // 0: the peer's own certificate
    pki::CertificateSummary certificate;          // the certificate at `depth`
    std::optional<pki::CertificateSummary> leaf;  // the peer's own certificate, when depth > 0
};

// SSL_CTX_set_verify(ctx, mode, ...) with a callback that records the first failure of each handshake.
void set_verify_with_capture(SSL_CTX* ctx, int mode);

// The failure recorded on `ssl`, if verification failed; owned by `ssl`.
const VerifyFailure* captured_verify_failure(const SSL* ssl);

}  // namespace culex::tls
