#include "auth/password_file_editor.hpp"

#include <algorithm>
#include <cctype>

#include "auth/atomic_file.hpp"
#include "auth/text_lines.hpp"

namespace culex::auth {

namespace {

std::string entry_text(std::string_view username, const PasswordHash& hash) {
    return std::string(username) + ":" + hash.to_string();
}

}  // namespace

Result<void> check_username(std::string_view username) {
    if (username.empty()) return fail("Username must not be empty.");
    if (username.size() > 65535) return fail("Username must be less than 65536 characters long.");
    if (std::any_of(username.begin(), username.end(),
                    [](char c) { return std::iscntrl(static_cast<unsigned char>(c)); })) {
        return fail("Username must not contain control characters.");
    }
    if (username.find(':') != std::string_view::npos)
        return fail("Username must not contain the ':' character.");
    return {};
}

Result<PasswordFileEditor> PasswordFileEditor::open(const std::filesystem::path& path) {
    auto text = read_text_file(path, "password file");
    if (!text) return std::unexpected(text.error());
    return parse(*text);
}

Result<PasswordFileEditor> PasswordFileEditor::parse(std::string_view text) {
    PasswordFileEditor editor;
    std::string error;
    for_each_line(text, [&](std::size_t number, std::string_view line) {
        if (!error.empty()) return;
        Line entry{std::string(line), {}, {}};
        auto content = trim_blanks(line);
        if (!content.empty() && !content.starts_with('#')) {
            auto colon = content.find(':');
            auto corrupt = "Corrupt password file at line " + std::to_string(number) + ": ";
            if (colon == std::string_view::npos) {
                error = corrupt + "expected USER:PASSWORD, found no ':'.";
                return;
            }
            entry.username = trim_blanks(content.substr(0, colon));
            entry.secret = trim_blanks(content.substr(colon + 1));
            if (entry.username.empty() || entry.secret.empty()) {
                error = corrupt + "the user name or the password is empty.";
                return;
            }
        }
        editor.lines_.push_back(std::move(entry));
    });
    if (!error.empty()) return fail(std::move(error));
    return editor;
}

bool PasswordFileEditor::has_user(std::string_view username) const {
    return std::any_of(lines_.begin(), lines_.end(),
                       [&](const Line& line) { return line.username == username; });
}

Result<void> PasswordFileEditor::set_password(std::string_view username, std::string_view password,
                                              const HashOptions& options) {
    if (auto valid = check_username(username); !valid) return valid;
    auto hash = hash_password(password, options);
    if (!hash) return std::unexpected(hash.error());
    Line entry{entry_text(username, *hash), std::string(username), hash->to_string()};
    auto first = std::find_if(lines_.begin(), lines_.end(),
                              [&](const Line& line) { return line.username == username; });
    if (first == lines_.end()) {
        lines_.push_back(std::move(entry));
        return {};
    }
    *first = std::move(entry);
    // A user listed twice would keep a second, older password: only the new one must remain.
    lines_.erase(std::remove_if(std::next(first), lines_.end(),
                                [&](const Line& line) { return line.username == username; }),
                 lines_.end());
    return {};
}

bool PasswordFileEditor::remove_user(std::string_view username) {
    auto before = lines_.size();
    std::erase_if(lines_, [&](const Line& line) { return line.username == username; });
    return lines_.size() != before;
}

Result<std::size_t> PasswordFileEditor::hash_plaintext(const HashOptions& options) {
    std::size_t hashed = 0;
    for (auto& line : lines_) {
        if (line.username.empty() || parse_password_hash(line.secret)) continue;
        auto hash = hash_password(line.secret, options);
        if (!hash) return std::unexpected(hash.error());
        line.secret = hash->to_string();
        line.text = entry_text(line.username, *hash);
        ++hashed;
    }
    return hashed;
}

std::string PasswordFileEditor::text() const {
    std::string out;
    for (const auto& line : lines_) {
        out += line.text;
        out += '\n';
    }
    return out;
}

Result<void> PasswordFileEditor::save(const std::filesystem::path& path) const {
    return write_file_atomically(path, text());
}

}  // namespace culex::auth
