// Who the peer is once the handshake is done, from its certificate, the way Mosquitto reads it:
// use_identity_as_username takes the subject's first CN; use_subject_as_username takes the whole subject
// printed as RFC 2253 (X509_NAME_print_ex with XN_FLAG_RFC2253: last RDN first, "CN=client,O=ISIS,C=FR").
// Mosquitto refuses the CONNECT (bad user name or password) when there is no certificate or no CN.
#pragma once

#include <openssl/ssl.h>

#include <optional>
#include <string>

namespace culex::tls {

struct PeerIdentity {
    std::optional<std::string> common_name;  // absent when the subject has no CN, or the CN holds a NUL byte
    std::string subject;                     // RFC 2253
};

// The identity in the peer's certificate; nullopt when the peer sent none.
std::optional<PeerIdentity> peer_identity(const SSL* ssl);
PeerIdentity certificate_identity(const X509* cert);

}  // namespace culex::tls
