// Private keys: the key types culex pki offers (ECDSA P-256 by default), generating them, reading and writing
// them as PEM, describing a public key in words, and checking that a key belongs to a certificate.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "pki/handles.hpp"

namespace culex::pki {

enum class KeyAlgorithm { rsa, ec, ed25519 };

struct KeyType {
    KeyAlgorithm algorithm = KeyAlgorithm::ec;
    int rsa_bits = 0;   // rsa only
    std::string curve;  // ec only: "P-256" or "P-384"

    bool operator==(const KeyType&) const = default;
};

inline const KeyType kDefaultKeyType{KeyAlgorithm::ec, 0, "P-256"};

// Parses the --key-type spelling: rsa:2048, rsa:3072, rsa:4096, ec:P-256, ec:P-384, ed25519.
Result<KeyType> parse_key_type(std::string_view text);
std::string to_string(const KeyType& type);

Result<EvpPkeyPtr> generate_key(const KeyType& type);

// PKCS#8 PEM ("BEGIN PRIVATE KEY"), unencrypted: what Mosquitto, openssl and MQTT.js read without options.
Result<std::string> private_key_pem(EVP_PKEY* key);
// Reads a private key in PEM (PKCS#8, traditional RSA/EC) or DER; `password` for encrypted PEM.
Result<EvpPkeyPtr> parse_private_key(std::string_view data, const std::optional<std::string>& password = {});
Result<EvpPkeyPtr> read_private_key(const std::filesystem::path& path,
                                    const std::optional<std::string>& password = {});

// What a public key is, in words and numbers, and whether it is too weak to use.
struct KeyDescription {
    std::string algorithm;  // "RSA", "EC", "ED25519", or OpenSSL's name for anything else
    int bits = 0;           // RSA modulus size, EC field size; 256 for Ed25519
    std::string curve;      // "P-256", "P-384", ... for EC
    bool weak = false;      // RSA below 2048 bits, EC below 256 bits
    std::string text;       // "EC P-256 (256 bit)", "RSA 2048 bit"
};
KeyDescription describe_key(const EVP_PKEY* key);

// Whether `key` is the private half of the public key in `cert`.
bool key_matches_certificate(const EVP_PKEY* key, const X509* cert);

// The digest to sign with for a key: SHA-384 for P-384, none (nullptr) for Ed25519, SHA-256 otherwise.
const EVP_MD* signing_digest(const EVP_PKEY* key);

}  // namespace culex::pki
