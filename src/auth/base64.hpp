// Standard base64 (RFC 4648, with padding, no line breaks): the encoding of salts and hashes in Mosquitto's
// password files.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace culex::auth {

std::string base64_encode(std::span<const std::uint8_t> bytes);

// Strict: the length must be a multiple of 4, padding only at the end, no whitespace. nullopt otherwise.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace culex::auth
