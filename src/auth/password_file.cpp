#include "auth/password_file.hpp"

#include "auth/text_lines.hpp"

namespace culex::auth {

namespace {

// A fixed decoy: its digest matches no password that matters, it only has to cost what a real check costs.
PasswordHash make_decoy(std::uint32_t iterations) {
    PasswordHash decoy;
    decoy.algorithm = HashAlgorithm::sha512_pbkdf2;
    decoy.iterations = iterations;
    decoy.salt.assign(kSaltSize, 0x5A);
    return decoy;
}

}  // namespace

Result<PasswordFile> PasswordFile::load(const std::filesystem::path& path) {
    auto text = read_text_file(path, "password file");
    if (!text) return std::unexpected(text.error());
    return parse(*text, path.string());
}

Result<PasswordFile> PasswordFile::parse(std::string_view text, std::string_view source_name) {
    PasswordFile file;
    StringMap<std::size_t> first_line;
    std::string error;
    std::uint32_t decoy_iterations = 0;
    for_each_line(text, [&](std::size_t number, std::string_view line) {
        if (!error.empty()) return;
        auto where = std::string(source_name) + ":" + std::to_string(number) + ": ";
        auto content = trim_blanks(line);
        if (content.empty() || content.starts_with('#')) return;
        auto colon = content.find(':');
        if (colon == std::string_view::npos) {
            error = where + "expected USER:HASH, found no ':' (add the user with `culex passwd FILE USER`)";
            return;
        }
        auto user = trim_blanks(content.substr(0, colon));
        if (user.empty()) {
            error = where + "the user name before ':' is empty (delete the line)";
            return;
        }
        auto hash = parse_password_hash(trim_blanks(content.substr(colon + 1)));
        if (!hash) {
            error = where + "user \"" + std::string(user) + "\": " + hash.error().message;
            return;
        }
        if (auto previous = first_line.find(user); previous != first_line.end()) {
            error = where + "user \"" + std::string(user) + "\" is already defined on line " +
                    std::to_string(previous->second) + " (delete one of the two lines)";
            return;
        }
        if (hash->algorithm == HashAlgorithm::sha512_pbkdf2) {
            decoy_iterations = std::max(decoy_iterations, hash->iterations);
        }
        first_line.emplace(std::string(user), number);
        file.users_.emplace(std::string(user), std::move(*hash));
    });
    if (!error.empty()) return fail(std::move(error));
    file.decoy_ = make_decoy(decoy_iterations != 0 ? decoy_iterations : kDefaultIterations);
    return file;
}

bool PasswordFile::verify(std::string_view username, std::string_view password) const {
    // As Mosquitto: a zero-length password never authenticates, even for a user whose hash is of the empty
    // password (made by mistake, or planted): "no password" must not mean "any client may be this user".
    if (password.empty()) {
        (void)decoy_.matches("x");  // the same time as a wrong password: nothing to learn from a timer
        return false;
    }
    auto it = users_.find(username);
    if (it == users_.end()) {
        (void)decoy_.matches(password);
        return false;
    }
    return it->second.matches(password);
}

}  // namespace culex::auth
