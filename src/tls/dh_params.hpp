// dhparamfile (mosquitto.conf): Diffie-Hellman parameters for a TLS listener, so that TLS 1.2 clients may use
// the DHE key exchanges (forward secrecy without elliptic curves). Without the option, as in Mosquitto, the
// listener offers no DHE suite; TLS 1.3 and ECDHE never need it.
#pragma once

#include <openssl/ssl.h>

#include <expected>
#include <string>

namespace culex::tls {

// Reads PEM DH parameters from `path` into `ctx`. The error says what is wrong with the file and how to make
// a good one.
std::expected<void, std::string> use_dh_params(SSL_CTX* ctx, const std::string& path);

}  // namespace culex::tls
