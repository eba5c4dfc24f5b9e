#include "pki/pem.hpp"

#include <openssl/pem.h>

#include "pki/files.hpp"

namespace culex::pki {

namespace fs = std::filesystem;

namespace {

BioPtr memory_bio(std::string_view data) {
    return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

bool looks_like_pem(std::string_view data) {
    return data.find("-----BEGIN ") != std::string_view::npos;
}

std::string bio_to_string(BIO* bio) {
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(size));
}

template <typename T>
Result<T> prefix_path(Result<T> result, const fs::path& path) {
    if (!result) return fail(path.string() + ": " + result.error().message);
    return result;
}

}  // namespace

Result<std::vector<X509Ptr>> parse_certificates(std::string_view data) {
    clear_openssl_errors();
    std::vector<X509Ptr> certs;
    if (looks_like_pem(data)) {
        BioPtr bio = memory_bio(data);
        while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
            certs.emplace_back(cert);
    } else {
        BioPtr bio = memory_bio(data);
        if (X509* cert = d2i_X509_bio(bio.get(), nullptr)) certs.emplace_back(cert);
    }
    // Reading until the end always leaves "no start line" behind; it is how the loop stops, not an error.
    std::string reason = drain_openssl_errors();
    if (certs.empty()) {
        if (data.find("PRIVATE KEY-----") != std::string_view::npos) {
            return fail("this is a private key, not a certificate: point at the .crt file");
        }
        if (data.find("CERTIFICATE REQUEST-----") != std::string_view::npos) {
            return fail(
                "this is a certificate request (CSR), not a certificate: sign it with `culex pki sign "
                "--csr`");
        }
        return fail(
            "no certificate found (expected PEM \"BEGIN CERTIFICATE\" or DER)" +
            (reason.empty() || reason == "no start line" ? std::string() : " (OpenSSL: " + reason + ")"));
    }
    return certs;
}

Result<std::vector<X509Ptr>> read_certificates(const fs::path& path) {
    auto data = read_file(path);
    if (!data) return std::unexpected(data.error());
    return prefix_path(parse_certificates(*data), path);
}

Result<X509Ptr> read_certificate(const fs::path& path) {
    auto certs = read_certificates(path);
    if (!certs) return std::unexpected(certs.error());
    return std::move(certs->front());
}

Result<X509ReqPtr> parse_request(std::string_view data) {
    clear_openssl_errors();
    BioPtr bio = memory_bio(data);
    X509_REQ* request = looks_like_pem(data) ? PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr)
                                             : d2i_X509_REQ_bio(bio.get(), nullptr);
    if (request == nullptr) {
        return fail(
            with_openssl_reason("no certificate request found (expected PEM \"BEGIN CERTIFICATE REQUEST\")"));
    }
    return X509ReqPtr(request);
}

Result<X509ReqPtr> read_request(const fs::path& path) {
    auto data = read_file(path);
    if (!data) return std::unexpected(data.error());
    return prefix_path(parse_request(*data), path);
}

Result<std::vector<X509CrlPtr>> parse_crls(std::string_view data) {
    clear_openssl_errors();
    std::vector<X509CrlPtr> crls;
    BioPtr bio = memory_bio(data);
    if (looks_like_pem(data)) {
        while (X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr))
            crls.emplace_back(crl);
    } else if (X509_CRL* crl = d2i_X509_CRL_bio(bio.get(), nullptr)) {
        crls.emplace_back(crl);
    }
    clear_openssl_errors();
    if (crls.empty()) return fail("no CRL found (expected PEM \"BEGIN X509 CRL\")");
    return crls;
}

Result<std::vector<X509CrlPtr>> read_crls(const fs::path& path) {
    auto data = read_file(path);
    if (!data) return std::unexpected(data.error());
    return prefix_path(parse_crls(*data), path);
}

PemKind detect_kind(std::string_view data) {
    if (looks_like_pem(data)) {
        if (data.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos ||
            data.find("-----BEGIN TRUSTED CERTIFICATE-----") != std::string_view::npos) {
            return PemKind::certificate;
        }
        if (data.find("CERTIFICATE REQUEST-----") != std::string_view::npos) return PemKind::request;
        if (data.find("-----BEGIN X509 CRL-----") != std::string_view::npos) return PemKind::crl;
        if (data.find("PRIVATE KEY-----") != std::string_view::npos) return PemKind::private_key;
        return PemKind::unknown;
    }
    {
        BioPtr bio = memory_bio(data);
        if (X509Ptr cert{d2i_X509_bio(bio.get(), nullptr)}) return PemKind::certificate;
    }
    {
        BioPtr bio = memory_bio(data);
        if (X509ReqPtr request{d2i_X509_REQ_bio(bio.get(), nullptr)}) return PemKind::request;
    }
    {
        BioPtr bio = memory_bio(data);
        if (X509CrlPtr crl{d2i_X509_CRL_bio(bio.get(), nullptr)}) return PemKind::crl;
    }
    clear_openssl_errors();
    return PemKind::unknown;
}

Result<std::string> to_pem(X509* cert) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_X509(bio.get(), cert) != 1)
        return fail(with_openssl_reason("could not encode the certificate"));
    return bio_to_string(bio.get());
}

Result<std::string> to_pem(X509_REQ* request) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_X509_REQ(bio.get(), request) != 1)
        return fail(with_openssl_reason("could not encode the CSR"));
    return bio_to_string(bio.get());
}

Result<std::string> to_pem(X509_CRL* crl) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_X509_CRL(bio.get(), crl) != 1)
        return fail(with_openssl_reason("could not encode the CRL"));
    return bio_to_string(bio.get());
}

}  // namespace culex::pki
