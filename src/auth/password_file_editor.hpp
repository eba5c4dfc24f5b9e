// The `culex passwd` view of a password file: a list of lines to change and write back. Lines it does not
// change (comments, blank lines, other users) are written back as they were. Unlike PasswordFile it accepts
// plain-text passwords, which is what `culex passwd -U` is for.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "auth/password_hash.hpp"
#include "base/error.hpp"

namespace culex::auth {

// Mosquitto's rules for a user name in a password file: 1 to 65535 bytes, no ':' and no control characters.
// The error is Mosquitto's sentence, e.g. "Username must not contain the ':' character."
Result<void> check_username(std::string_view username);

class PasswordFileEditor {
  public:
    PasswordFileEditor() = default;  // an empty file, for `-c`

    // Errors read like Mosquitto's: "Unable to open password file F. No such file or directory." and
    // "Corrupt password file at line 3." followed by what is wrong with the line.
    static Result<PasswordFileEditor> open(const std::filesystem::path& path);
    static Result<PasswordFileEditor> parse(std::string_view text);

    bool has_user(std::string_view username) const;

    // Adds the user, or replaces their password, with a fresh hash.
    Result<void> set_password(std::string_view username, std::string_view password,
                              const HashOptions& options);

    // False when the user is not in the file.
    bool remove_user(std::string_view username);

    // Replaces every plain-text password with its hash and returns how many it hashed. Lines that already
    // hold a hash are left alone (mosquitto_passwd -U would hash the hash, and lock those users out).
    Result<std::size_t> hash_plaintext(const HashOptions& options);

    std::string text() const;

    // Atomically, see write_file_atomically().
    Result<void> save(const std::filesystem::path& path) const;

  private:
    struct Line {
        std::string text;      // as read, for lines written back unchanged
        std::string username;  // empty for comments and blank lines
        std::string secret;    // what follows ':' (a hash, or a plain-text password before -U)
    };

    std::vector<Line> lines_;
};

}  // namespace culex::auth
