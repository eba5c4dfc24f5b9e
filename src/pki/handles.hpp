// Owning wrappers for the OpenSSL objects pki (and the TLS code that reuses it) handles, and a way to turn
// OpenSSL's thread-local error queue into text. Every OpenSSL pointer in culex lives in one of these.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

namespace culex::pki {

template <auto Free>
struct OpenSslDeleter {
    template <typename T>
    void operator()(T* p) const {
        Free(p);
    }
};

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter<EVP_PKEY_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, OpenSslDeleter<X509_REQ_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OpenSslDeleter<X509_CRL_free>>;
using X509RevokedPtr = std::unique_ptr<X509_REVOKED, OpenSslDeleter<X509_REVOKED_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, OpenSslDeleter<X509_NAME_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpenSslDeleter<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpenSslDeleter<X509_STORE_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, OpenSslDeleter<ASN1_INTEGER_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, OpenSslDeleter<ASN1_TIME_free>>;
using Asn1OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, OpenSslDeleter<ASN1_OCTET_STRING_free>>;
using Asn1EnumeratedPtr = std::unique_ptr<ASN1_ENUMERATED, OpenSslDeleter<ASN1_ENUMERATED_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpenSslDeleter<GENERAL_NAMES_free>>;
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, OpenSslDeleter<BASIC_CONSTRAINTS_free>>;
using ExtendedKeyUsagePtr = std::unique_ptr<EXTENDED_KEY_USAGE, OpenSslDeleter<EXTENDED_KEY_USAGE_free>>;
using Asn1BitStringPtr = std::unique_ptr<ASN1_BIT_STRING, OpenSslDeleter<ASN1_BIT_STRING_free>>;
using AuthorityKeyIdPtr = std::unique_ptr<AUTHORITY_KEYID, OpenSslDeleter<AUTHORITY_KEYID_free>>;

// Stacks own their elements: freeing one frees what it holds.
inline void free_extension_stack(STACK_OF(X509_EXTENSION) * s) {
    sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
}
inline void free_certificate_stack(STACK_OF(X509) * s) {
    sk_X509_pop_free(s, X509_free);
}
using X509ExtensionsPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), OpenSslDeleter<free_extension_stack>>;
using X509StackPtr = std::unique_ptr<STACK_OF(X509), OpenSslDeleter<free_certificate_stack>>;

// Takes a new reference to `cert` (X509_up_ref) so it can be held by another owner.
X509Ptr share(X509* cert);
EvpPkeyPtr share(EVP_PKEY* key);

// Drains OpenSSL's error queue of this thread into "reason1; reason2" (empty when the queue was empty).
// Call it right after the failing OpenSSL call: stale entries from earlier failures would mislead.
std::string drain_openssl_errors();

// "what failed: OpenSSL's reasons", for messages that wrap an OpenSSL failure.
std::string with_openssl_reason(std::string what);

// Clears the error queue before a sequence of calls whose failure is then read with drain_openssl_errors().
void clear_openssl_errors();

}  // namespace culex::pki
