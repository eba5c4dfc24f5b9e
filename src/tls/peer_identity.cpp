#include "tls/peer_identity.hpp"

#include <openssl/x509.h>

#include <cstring>

#include "pki/handles.hpp"

namespace culex::tls {

namespace {

std::optional<std::string> first_common_name(const X509_NAME* name) {
    int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (index < 0) return std::nullopt;
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, index);
    const ASN1_STRING* data = entry != nullptr ? X509_NAME_ENTRY_get_data(entry) : nullptr;
    if (data == nullptr) return std::nullopt;
    unsigned char* utf8 = nullptr;
    int length = ASN1_STRING_to_UTF8(&utf8, data);
    if (length < 0) return std::nullopt;
    std::string cn(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
    // A CN with a NUL inside could pass for a shorter name: Mosquitto refuses it, so do we.
    if (cn.find('\0') != std::string::npos) return std::nullopt;
    return cn;
}

std::string rfc2253(const X509_NAME* name) {
    pki::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return "";
    char* data = nullptr;
    long length = BIO_get_mem_data(bio.get(), &data);
    return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string();
}

}  // namespace

PeerIdentity certificate_identity(const X509* cert) {
    const X509_NAME* name = X509_get_subject_name(cert);
    return {first_common_name(name), rfc2253(name)};
}

std::optional<PeerIdentity> peer_identity(const SSL* ssl) {
    X509* cert = ssl != nullptr ? SSL_get0_peer_certificate(ssl) : nullptr;
    if (cert == nullptr) return std::nullopt;
    return certificate_identity(cert);
}

}  // namespace culex::tls
