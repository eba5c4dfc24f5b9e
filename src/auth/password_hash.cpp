#include "auth/password_hash.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <climits>
#include <memory>

#include "auth/base64.hpp"

namespace culex::auth {

namespace {

struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

// Computes the digest of `password` under `hash`'s algorithm, salt and iteration count.
bool compute_digest(const PasswordHash& hash, std::string_view password,
                    std::array<std::uint8_t, kDigestSize>& out) {
    if (hash.algorithm == HashAlgorithm::sha512) {
        MdCtx ctx(EVP_MD_CTX_new());
        unsigned int length = 0;
        return ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha512(), nullptr) == 1 &&
               EVP_DigestUpdate(ctx.get(), password.data(), password.size()) == 1 &&
               EVP_DigestUpdate(ctx.get(), hash.salt.data(), hash.salt.size()) == 1 &&
               EVP_DigestFinal_ex(ctx.get(), out.data(), &length) == 1 && length == kDigestSize;
    }
    if (password.size() > INT_MAX || hash.iterations == 0 || hash.iterations > INT_MAX) return false;
    return PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), hash.salt.data(),
                             static_cast<int>(hash.salt.size()), static_cast<int>(hash.iterations),
                             EVP_sha512(), static_cast<int>(kDigestSize), out.data()) == 1;
}

// Splits "a$b$c" at '$' into at most `n` fields; false if the count differs.
template <std::size_t N>
bool split_fields(std::string_view text, std::array<std::string_view, N>& fields) {
    for (std::size_t i = 0; i < N; ++i) {
        auto dollar = text.find('$');
        if (i + 1 == N) {
            if (dollar != std::string_view::npos) return false;
            fields[i] = text;
        } else {
            if (dollar == std::string_view::npos) return false;
            fields[i] = text.substr(0, dollar);
            text.remove_prefix(dollar + 1);
        }
    }
    return true;
}

}  // namespace

bool PasswordHash::matches(std::string_view password) const {
    std::array<std::uint8_t, kDigestSize> computed{};
    if (!compute_digest(*this, password, computed)) return false;
    return CRYPTO_memcmp(computed.data(), digest.data(), kDigestSize) == 0;
}

std::string PasswordHash::to_string() const {
    std::string out = algorithm == HashAlgorithm::sha512 ? "$6$" : "$7$" + std::to_string(iterations) + "$";
    out += base64_encode(salt);
    out += '$';
    out += base64_encode(digest);
    return out;
}

Result<PasswordHash> parse_password_hash(std::string_view text) {
    PasswordHash hash;
    std::string_view salt_text;
    std::string_view digest_text;
    if (text.starts_with("$6$")) {
        std::array<std::string_view, 2> fields;
        if (!split_fields(text.substr(3), fields)) return fail("malformed $6$ hash (expected $6$SALT$HASH)");
        hash.algorithm = HashAlgorithm::sha512;
        salt_text = fields[0];
        digest_text = fields[1];
    } else if (text.starts_with("$7$")) {
        std::array<std::string_view, 3> fields;
        if (!split_fields(text.substr(3), fields)) {
            return fail("malformed $7$ hash (expected $7$ITERATIONS$SALT$HASH)");
        }
        auto [end, ec] =
            std::from_chars(fields[0].data(), fields[0].data() + fields[0].size(), hash.iterations);
        if (ec != std::errc() || end != fields[0].data() + fields[0].size() || hash.iterations == 0 ||
            hash.iterations > INT_MAX) {
            return fail("iteration count \"" + std::string(fields[0]) +
                        "\" is not a whole number from 1 to " + std::to_string(INT_MAX));
        }
        hash.algorithm = HashAlgorithm::sha512_pbkdf2;
        salt_text = fields[1];
        digest_text = fields[2];
    } else {
        return fail(
            "not a password hash: expected $7$ITERATIONS$SALT$HASH or $6$SALT$HASH (a plain-text password? "
            "hash the file with `culex passwd -U FILE`)");
    }
    auto salt = base64_decode(salt_text);
    if (!salt || salt->empty()) return fail("the salt is not base64");
    hash.salt = std::move(*salt);
    auto digest = base64_decode(digest_text);
    if (!digest) return fail("the hash is not base64");
    if (digest->size() != kDigestSize) {
        return fail("the hash is " + std::to_string(digest->size()) + " bytes long, expected " +
                    std::to_string(kDigestSize));
    }
    std::copy(digest->begin(), digest->end(), hash.digest.begin());
    return hash;
}

Result<PasswordHash> hash_password(std::string_view password, const HashOptions& options) {
    PasswordHash hash;
    hash.algorithm = options.algorithm;
    hash.iterations = options.algorithm == HashAlgorithm::sha512_pbkdf2 ? options.iterations : 0;
    if (hash.algorithm == HashAlgorithm::sha512_pbkdf2 &&
        (hash.iterations == 0 || hash.iterations > INT_MAX)) {
        return fail("iteration count must be from 1 to " + std::to_string(INT_MAX));
    }
    hash.salt.resize(kSaltSize);
    if (RAND_bytes(hash.salt.data(), static_cast<int>(hash.salt.size())) != 1) {
        return fail("cannot get random bytes for the salt from OpenSSL (is /dev/urandom available?)");
    }
    if (!compute_digest(hash, password, hash.digest)) return fail("OpenSSL failed to hash the password");
    return hash;
}

}  // namespace culex::auth
