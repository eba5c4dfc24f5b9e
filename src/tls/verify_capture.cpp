#include "tls/verify_capture.hpp"

#include <openssl/x509_vfy.h>

#include <memory>

namespace culex::tls {

namespace {

void free_failure(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
    delete static_cast<VerifyFailure*>(ptr);
}

int failure_index() {
    // Registered once per process; OpenSSL frees the record with the SSL object.
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, free_failure);
    return index;
}

int capture(int ok, X509_STORE_CTX* store) {
    if (ok == 1) return 1;
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    if (ssl == nullptr || SSL_get_ex_data(ssl, failure_index()) != nullptr) return 0;
    auto failure = std::make_unique<VerifyFailure>();
    failure->error = X509_STORE_CTX_get_error(store);
    failure->depth = X509_STORE_CTX_get_error_depth(store);
    if (X509* current = X509_STORE_CTX_get_current_cert(store))
        failure->certificate = pki::summarize(current);
    X509* leaf = X509_STORE_CTX_get0_cert(store);
    if (failure->depth > 0 && leaf != nullptr) failure->leaf = pki::summarize(leaf);
    if (SSL_set_ex_data(ssl, failure_index(), failure.get()) == 1) failure.release();
    return 0;
}

}  // namespace

void set_verify_with_capture(SSL_CTX* ctx, int mode) {
    failure_index();
    SSL_CTX_set_verify(ctx, mode, capture);
}

const VerifyFailure* captured_verify_failure(const SSL* ssl) {
    if (ssl == nullptr) return nullptr;
    return static_cast<const VerifyFailure*>(SSL_get_ex_data(ssl, failure_index()));
}

}  // namespace culex::tls
