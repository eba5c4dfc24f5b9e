// Reading and writing the files of a PKI directory. Writes are all-or-nothing (a temporary file renamed into
// place), private keys are created 0600 from their first byte, and nothing is overwritten unless asked.
#pragma once

#include <sys/types.h>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace culex::pki {

constexpr mode_t kPrivateFileMode = 0600;
constexpr mode_t kPublicFileMode = 0644;

enum class Overwrite { refuse, allow };

Result<std::string> read_file(const std::filesystem::path& path);

// Writes `content` to `path` with `mode` (the file is created with that mode; umask can only narrow it).
// With Overwrite::refuse an existing file is an error and stays untouched.
Result<void> write_file(const std::filesystem::path& path, std::string_view content, mode_t mode,
                        Overwrite overwrite);

// Creates `dir` (and parents) if missing, 0700: it holds the CA's private key.
Result<void> ensure_private_directory(const std::filesystem::path& dir);

}  // namespace culex::pki
