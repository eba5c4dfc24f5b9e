#include "tls/dh_params.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fmt/format.h>

#include <memory>

#include "pki/handles.hpp"

namespace culex::tls {

namespace {

constexpr const char* kHowToMake =
    "make one with `openssl dhparam -out dhparam.pem 2048` (or, at once, `openssl genpkey -genparam "
    "-algorithm DH -pkeyopt group:ffdhe2048 -out dhparam.pem`)";

}  // namespace

std::expected<void, std::string> use_dh_params(SSL_CTX* ctx, const std::string& path) {
    std::unique_ptr<BIO, decltype(&BIO_free)> file(BIO_new_file(path.c_str(), "r"), BIO_free);
    if (!file)
        return std::unexpected(
            fmt::format("cannot read dhparamfile \"{}\" ({}); fix: check the path and its "
                        "permissions, or {}",
                        path, pki::drain_openssl_errors(), kHowToMake));
    EVP_PKEY* params = PEM_read_bio_Parameters(file.get(), nullptr);
    if (params == nullptr || !EVP_PKEY_is_a(params, "DH")) {
        EVP_PKEY_free(params);
        return std::unexpected(
            fmt::format("dhparamfile \"{}\" holds no PEM DH parameters; fix: {}", path, kHowToMake));
    }
    if (EVP_PKEY_get_bits(params) < 2048) {
        int bits = EVP_PKEY_get_bits(params);
        EVP_PKEY_free(params);
        // OpenSSL's default security level refuses them anyway, with a less helpful error at handshake time.
        return std::unexpected(
            fmt::format("dhparamfile \"{}\" has {}-bit DH parameters, too weak (at least "
                        "2048); fix: {}",
                        path, bits, kHowToMake));
    }
    if (SSL_CTX_set0_tmp_dh_pkey(ctx, params) != 1) {  // takes ownership only on success
        EVP_PKEY_free(params);
        return std::unexpected(
            fmt::format("OpenSSL refused the DH parameters of dhparamfile \"{}\" ({}); fix: {}", path,
                        pki::drain_openssl_errors(), kHowToMake));
    }
    return {};
}

}  // namespace culex::tls
