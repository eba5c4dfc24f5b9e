// Loading what a TLS endpoint presents and trusts, with messages that name the option and the file: a
// certificate with its chain and the matching private key, and the CA certificates of a cafile. Shared by the
// broker's contexts, the clients' and `culex doctor`.
#pragma once

#include <openssl/ssl.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "pki/handles.hpp"
#include "pki/summary.hpp"

namespace culex::tls {

struct Credentials {
    std::vector<pki::X509Ptr> chain;  // the certificate first, then any intermediates the file carries
    pki::EvpPkeyPtr key;
    pki::CertificateSummary certificate;  // summary of chain[0]
};

// How the options are called where they came from: "certfile"/"keyfile" in mosquitto.conf, "--cert"/"--key"
// on a client's command line.
struct CredentialNames {
    std::string_view cert_option = "certfile";
    std::string_view key_option = "keyfile";
};

// Reads both files (each checked readable first), and fails unless the key is the certificate's.
Result<Credentials> load_credentials(const std::string& cert_path, const std::string& key_path,
                                     const std::optional<std::string>& key_password, CredentialNames names,
                                     std::string_view where);

// Every certificate of a CA file (checked readable; at least one certificate).
Result<std::vector<pki::X509Ptr>> load_ca_file(const std::string& path, std::string_view option,
                                               std::string_view where);

// Installs the certificate, its chain and its key in `ctx`.
Result<void> use_credentials(SSL_CTX* ctx, const Credentials& credentials);

std::vector<pki::CertificateSummary> summarize_all(const std::vector<pki::X509Ptr>& certs);

// The OpenSSL reason of a packed error code (ERR_get_error()), e.g. "tlsv1 alert unknown ca"; empty for 0.
std::string openssl_reason(unsigned long code);

}  // namespace culex::tls
