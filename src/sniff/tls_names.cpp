#include "sniff/tls_names.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

namespace culex::sniff {

namespace {

struct SslCtxFree {
    void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
};
struct X509Free {
    void operator()(X509* cert) const { X509_free(cert); }
};
struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};

// SSL_CIPHER_find needs an SSL object; one, made once, serves every lookup.
class CipherTable {
  public:
    CipherTable() : ctx_(SSL_CTX_new(TLS_method())), ssl_(ctx_ ? SSL_new(ctx_.get()) : nullptr) {}

    const SSL_CIPHER* find(std::uint16_t suite) const {
        if (!ssl_) return nullptr;
        const unsigned char bytes[2] = {static_cast<unsigned char>(suite >> 8),
                                        static_cast<unsigned char>(suite & 0xFF)};
        return SSL_CIPHER_find(ssl_.get(), bytes);
    }

  private:
    std::unique_ptr<SSL_CTX, SslCtxFree> ctx_;
    std::unique_ptr<SSL, SslFree> ssl_;
};

}  // namespace

std::string tls_version_name(std::uint16_t version) {
    switch (version) {
        case 0x0300:
            return "SSL 3.0";
        case 0x0301:
            return "TLS 1.0";
        case 0x0302:
            return "TLS 1.1";
        case 0x0303:
            return "TLS 1.2";
        case 0x0304:
            return "TLS 1.3";
        default:
            return fmt::format("0x{:04x}", version);
    }
}

std::string cipher_suite_name(std::uint16_t suite) {
    static const CipherTable table;
    if (const SSL_CIPHER* cipher = table.find(suite)) {
        if (const char* name = SSL_CIPHER_standard_name(cipher)) return name;
    }
    return fmt::format("0x{:04X}", suite);
}

std::optional<std::string> certificate_subject(std::string_view der) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
    std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &bytes, static_cast<long>(der.size())));
    if (!cert) return std::nullopt;
    std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    if (!bio) return std::nullopt;
    if (X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert.get()), 0, XN_FLAG_RFC2253) < 0) {
        return std::nullopt;
    }
    char* data = nullptr;
    long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace culex::sniff
