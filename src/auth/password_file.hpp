// The broker's view of a Mosquitto password file (`password_file` in mosquitto.conf): who may log in, and
// with which password. Lines are USER:HASH ($6$ or $7$, as written by mosquitto_passwd or `culex passwd`);
// blank lines and lines starting with '#' are ignored. Immutable once loaded, so any number of event loops
// may call verify() at once; reload by loading again and swapping.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/password_hash.hpp"
#include "auth/string_map.hpp"
#include "base/error.hpp"

namespace culex::auth {

class PasswordFile {
  public:
    // Reads and checks the whole file. Errors name file:line, the cause and the fix: a broker must not start
    // with a password file it half understands.
    static Result<PasswordFile> load(const std::filesystem::path& path);
    static Result<PasswordFile> parse(std::string_view text, std::string_view source_name);

    // Whether `password` is `username`'s. Costs one hash (about 50 ms at the default iteration count) even
    // when the user does not exist, so that timing does not tell which user names exist.
    bool verify(std::string_view username, std::string_view password) const;

    bool has_user(std::string_view username) const { return users_.contains(username); }
    std::size_t size() const { return users_.size(); }

  private:
    StringMap<PasswordHash> users_;
    PasswordHash decoy_;  // hashed against when the user is unknown
};

}  // namespace culex::auth
