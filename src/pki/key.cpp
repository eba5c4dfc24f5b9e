#include "pki/key.hpp"

#include <openssl/core_names.h>
#include <openssl/pem.h>

#include <algorithm>

#include <fmt/format.h>

#include "pki/files.hpp"

namespace culex::pki {

Result<KeyType> parse_key_type(std::string_view text) {
    if (text == "rsa:2048") return KeyType{KeyAlgorithm::rsa, 2048, ""};
    if (text == "rsa:3072") return KeyType{KeyAlgorithm::rsa, 3072, ""};
    if (text == "rsa:4096") return KeyType{KeyAlgorithm::rsa, 4096, ""};
    if (text == "ec:P-256" || text == "ec:p-256" || text == "ec:prime256v1") return kDefaultKeyType;
    if (text == "ec:P-384" || text == "ec:p-384" || text == "ec:secp384r1")
        return KeyType{KeyAlgorithm::ec, 0, "P-384"};
    if (text == "ed25519") return KeyType{KeyAlgorithm::ed25519, 0, ""};
    return fail(
        fmt::format("unknown key type \"{}\": use one of rsa:2048, rsa:3072, rsa:4096, ec:P-256, ec:P-384, "
                    "ed25519",
                    text));
}

std::string to_string(const KeyType& type) {
    switch (type.algorithm) {
        case KeyAlgorithm::rsa:
            return fmt::format("rsa:{}", type.rsa_bits);
        case KeyAlgorithm::ec:
            return "ec:" + type.curve;
        case KeyAlgorithm::ed25519:
            return "ed25519";
    }
    return "?";
}

Result<EvpPkeyPtr> generate_key(const KeyType& type) {
    clear_openssl_errors();
    EVP_PKEY* key = nullptr;
    switch (type.algorithm) {
        case KeyAlgorithm::rsa:
            key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(type.rsa_bits));
            break;
        case KeyAlgorithm::ec:
            key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", type.curve.c_str());
            break;
        case KeyAlgorithm::ed25519:
            key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
            break;
    }
    if (key == nullptr) return fail(with_openssl_reason("could not generate a " + to_string(type) + " key"));
    return EvpPkeyPtr(key);
}

Result<std::string> private_key_pem(EVP_PKEY* key) {
    clear_openssl_errors();
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        return fail(with_openssl_reason("could not encode the private key as PEM"));
    }
    char* data = nullptr;
    long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

namespace {

int password_callback(char* buffer, int size, int /*rwflag*/, void* user) {
    const auto* password = static_cast<const std::string*>(user);
    if (password == nullptr) return -1;  // encrypted but no password given: fail instead of prompting
    int n = static_cast<int>(std::min<std::size_t>(password->size(), static_cast<std::size_t>(size)));
    std::copy_n(password->data(), n, buffer);
    return n;
}

}  // namespace

Result<EvpPkeyPtr> parse_private_key(std::string_view data, const std::optional<std::string>& password) {
    clear_openssl_errors();
    const std::string* pass = password ? &*password : nullptr;
    BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    EVP_PKEY* key =
        PEM_read_bio_PrivateKey(bio.get(), nullptr, password_callback, const_cast<std::string*>(pass));
    if (key == nullptr) {
        bool encrypted = data.find("ENCRYPTED") != std::string_view::npos;
        BioPtr der(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
        key = d2i_PrivateKey_bio(der.get(), nullptr);
        if (key == nullptr) {
            if (encrypted && !password) return fail("the private key is encrypted and no password was given");
            return fail(
                with_openssl_reason("no private key found (expected PEM \"BEGIN PRIVATE KEY\" or DER)"));
        }
    }
    clear_openssl_errors();
    return EvpPkeyPtr(key);
}

Result<EvpPkeyPtr> read_private_key(const std::filesystem::path& path,
                                    const std::optional<std::string>& password) {
    auto data = read_file(path);
    if (!data) return std::unexpected(data.error());
    auto key = parse_private_key(*data, password);
    if (!key) return fail(path.string() + ": " + key.error().message);
    return key;
}

namespace {

std::string ec_curve_name(const EVP_PKEY* key) {
    char name[64] = {};
    size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &length) != 1)
        return "";
    std::string group(name, length);
    if (group == "prime256v1") return "P-256";
    if (group == "secp384r1") return "P-384";
    if (group == "secp521r1") return "P-521";
    return group;
}

}  // namespace

KeyDescription describe_key(const EVP_PKEY* key) {
    KeyDescription d;
    if (key == nullptr) {
        d.algorithm = "none";
        d.text = "no key";
        d.weak = true;
        return d;
    }
    d.bits = EVP_PKEY_get_bits(key);
    if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS")) {
        d.algorithm = "RSA";
        d.weak = d.bits < 2048;
        d.text = fmt::format("RSA {} bit", d.bits);
    } else if (EVP_PKEY_is_a(key, "EC")) {
        d.algorithm = "EC";
        d.curve = ec_curve_name(key);
        d.weak = d.bits < 256;
        d.text = fmt::format("EC {} ({} bit)", d.curve, d.bits);
    } else if (EVP_PKEY_is_a(key, "ED25519")) {
        d.algorithm = "ED25519";
        d.text = "Ed25519";
    } else if (EVP_PKEY_is_a(key, "ED448")) {
        d.algorithm = "ED448";
        d.text = "Ed448";
    } else {
        const char* name = EVP_PKEY_get0_type_name(key);
        d.algorithm = name != nullptr ? name : "unknown";
        d.weak = d.bits < 2048;
        d.text = fmt::format("{} {} bit", d.algorithm, d.bits);
    }
    return d;
}

bool key_matches_certificate(const EVP_PKEY* key, const X509* cert) {
    if (key == nullptr || cert == nullptr) return false;
    const EVP_PKEY* public_key = X509_get0_pubkey(cert);
    bool match = public_key != nullptr && EVP_PKEY_eq(public_key, key) == 1;
    clear_openssl_errors();  // a type mismatch leaves an entry in the queue; it is an answer, not an error
    return match;
}

const EVP_MD* signing_digest(const EVP_PKEY* key) {
    if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448")) return nullptr;
    if (EVP_PKEY_is_a(key, "EC") && EVP_PKEY_get_bits(key) > 256) return EVP_sha384();
    return EVP_sha256();
}

}  // namespace culex::pki
