// libFuzzer target for the password file (src/auth/password_file) and the hash formats it holds
// (src/auth/password_hash). The input is a password file. Invariants beyond "no crash":
// - errors name this file and a line it has;
// - a file that loads has exactly the users of its USER:HASH lines, each once;
// - every hash that parses prints (to_string) to a text that parses to the same hash and prints the same.
// No password is verified: a fuzzed iteration count would make one check take minutes.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "auth/password_file.hpp"
#include "auth/password_hash.hpp"
#include "invariant.hpp"

namespace {

using culex::fuzz::check;
using namespace culex::auth;

constexpr const char* kTarget = "password_file_fuzz";
constexpr std::string_view kName = "fuzz.passwd";

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool same(const PasswordHash& a, const PasswordHash& b) {
    return a.algorithm == b.algorithm && a.iterations == b.iterations && a.salt == b.salt &&
           a.digest == b.digest;
}

void check_hash_round_trip(std::string_view text) {
    auto hash = parse_password_hash(text);
    if (!hash) {
        check(!hash.error().message.empty(), kTarget, "a hash refused without a reason");
        return;
    }
    std::string printed = hash->to_string();
    auto again = parse_password_hash(printed);
    check(again.has_value(), kTarget, "a printed hash does not parse");
    check(same(*hash, *again), kTarget, "a printed hash parses to another hash");
    check(again->to_string() == printed, kTarget, "printing a hash is not stable");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto file = PasswordFile::parse(text, kName);

    std::vector<std::string_view> lines;
    for (std::string_view rest = text; !rest.empty();) {
        auto end = rest.find('\n');
        auto line = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
        if (line.ends_with('\r')) line.remove_suffix(1);
        lines.push_back(line);
    }

    std::set<std::string_view> users;
    for (auto line : lines) {
        auto content = trim(line);
        if (content.empty() || content.starts_with('#')) continue;
        auto colon = content.find(':');
        if (colon == std::string_view::npos) continue;
        check_hash_round_trip(trim(content.substr(colon + 1)));
        users.insert(trim(content.substr(0, colon)));
    }

    if (!file) {
        const std::string& m = file.error().message;
        check(m.starts_with(std::string(kName) + ":"), kTarget, "an error that does not name the file");
        auto colon = m.find(':', kName.size() + 1);
        check(colon != std::string::npos, kTarget, "an error without a line number");
        auto number = std::stoul(m.substr(kName.size() + 1, colon - kName.size() - 1));
        check(number >= 1 && number <= lines.size(), kTarget, "an error names a line the file does not have");
        return 0;
    }
    check(file->size() == users.size(), kTarget, "the file holds other users than its lines name");
    for (auto user : users)
        check(file->has_user(user), kTarget, "a user of the file is missing");
    check(!file->has_user(""), kTarget, "an empty user name was accepted");
    return 0;
}
