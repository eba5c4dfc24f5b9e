// Who may read the HTTP listener: the listener's own security settings. With allow_anonymous true anyone
// may (the operator said so); otherwise a request needs HTTP Basic credentials that the listener's password
// file accepts, and without a password file nobody gets in. So /metrics is never anonymous on an address
// other hosts reach unless allow_anonymous true says so.
//
// Credentials sent where anonymous access is allowed are checked all the same (as Mosquitto refuses a bad
// password even with allow_anonymous true): the admin API's rights depend on the user named.
//
// A password check costs a hash (about 50 ms): credentials that passed are remembered (for the password file
// that passed them, so a reload forgets them), and failed checks are limited to kFailuresPerSecond, past
// which requests are refused without hashing, so that a flood of guesses takes at most a share of one core.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "broker/access_policy.hpp"

namespace culex::ops {

// "Basic dXNlcjpwYXNz" -> ("user", "pass"); nullopt for another scheme or bad base64.
std::optional<std::pair<std::string, std::string>> parse_basic_credentials(std::string_view authorization);

enum class HttpVerdict { allowed, needs_credentials, throttled };

struct HttpIdentity {
    HttpVerdict verdict = HttpVerdict::needs_credentials;
    std::optional<std::string> username;  // allowed with credentials: the user; nullopt: anonymous
};

// Used by the HTTP thread only.
class HttpAccess {
  public:
    static constexpr int kFailuresPerSecond = 4;
    static constexpr std::size_t kRememberedCredentials = 16;

    HttpIdentity check(const broker::AccessPolicy& policy, std::string_view authorization,
                       std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

  private:
    const auth::PasswordFile* remembered_for_ = nullptr;
    std::map<std::string, std::string, std::less<>> remembered_;  // Authorization headers that passed -> user
    std::chrono::steady_clock::time_point window_start_{};
    int failures_in_window_ = 0;
};

}  // namespace culex::ops
