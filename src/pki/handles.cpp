#include "pki/handles.hpp"

#include <openssl/err.h>

namespace culex::pki {

X509Ptr share(X509* cert) {
    if (cert != nullptr) X509_up_ref(cert);
    return X509Ptr(cert);
}

EvpPkeyPtr share(EVP_PKEY* key) {
    if (key != nullptr) EVP_PKEY_up_ref(key);
    return EvpPkeyPtr(key);
}

std::string drain_openssl_errors() {
    std::string out;
    while (unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        // Keep only the reason: "error:0480006C:PEM routines::no start line" -> "no start line".
        const char* reason = ERR_reason_error_string(code);
        if (!out.empty()) out += "; ";
        out += reason != nullptr ? reason : buffer;
    }
    return out;
}

std::string with_openssl_reason(std::string what) {
    std::string reason = drain_openssl_errors();
    if (!reason.empty()) what += " (OpenSSL: " + reason + ")";
    return what;
}

void clear_openssl_errors() {
    ERR_clear_error();
}

}  // namespace culex::pki
