// Password hashes in Mosquitto's formats, as they appear after "user:" in a password file:
//   $6$SALT$HASH              SHA-512 of password then salt (Mosquitto 1.x; read only, for old files)
//   $7$ITERATIONS$SALT$HASH   PBKDF2-HMAC-SHA512 (Mosquitto 2.x; what culex writes)
// SALT and HASH are base64; the salt is 12 bytes and the hash 64, the only sizes Mosquitto accepts.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace culex::auth {

enum class HashAlgorithm : std::uint8_t { sha512 = 6, sha512_pbkdf2 = 7 };

// Mosquitto 2.0 writes 101 iterations: a GPU tries billions of those per second. 100,000 costs about 50 ms
// per check on one core of a small server (measured: docs/auth.md), a price paid once per CONNECT and 1000
// times what a guesser pays per guess against Mosquitto's default. Mosquitto reads the count from each line,
// so it verifies our files unchanged.
constexpr std::uint32_t kDefaultIterations = 100'000;
constexpr std::size_t kSaltSize = 12;
constexpr std::size_t kDigestSize = 64;

struct HashOptions {
    HashAlgorithm algorithm = HashAlgorithm::sha512_pbkdf2;
    std::uint32_t iterations = kDefaultIterations;  // PBKDF2 only
};

struct PasswordHash {
    HashAlgorithm algorithm = HashAlgorithm::sha512_pbkdf2;
    std::uint32_t iterations = 0;  // PBKDF2 only
    std::vector<std::uint8_t> salt;
    std::array<std::uint8_t, kDigestSize> digest{};

    // Whether `password` hashes to `digest`; the comparison takes the same time wherever they differ.
    bool matches(std::string_view password) const;

    // The text form: "$7$100000$SALT$HASH" or "$6$SALT$HASH".
    std::string to_string() const;
};

// Parses the text form. The error says what is wrong, without a file name: the caller adds file:line.
Result<PasswordHash> parse_password_hash(std::string_view text);

// A fresh hash of `password` with a random salt. Fails only when the system's random source or OpenSSL does.
Result<PasswordHash> hash_password(std::string_view password, const HashOptions& options = {});

}  // namespace culex::auth
