#include "ops/http_access.hpp"

#include "auth/base64.hpp"

namespace culex::ops {

std::optional<std::pair<std::string, std::string>> parse_basic_credentials(std::string_view authorization) {
    constexpr std::string_view kScheme = "basic ";
    if (authorization.size() < kScheme.size()) return std::nullopt;
    for (std::size_t i = 0; i < kScheme.size(); ++i)  // the scheme is case-insensitive (RFC 9110)
        if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return std::nullopt;
    std::string_view encoded = authorization.substr(kScheme.size());
    while (!encoded.empty() && encoded.front() == ' ')
        encoded.remove_prefix(1);
    while (!encoded.empty() && encoded.back() == ' ')
        encoded.remove_suffix(1);
    auto decoded = auth::base64_decode(encoded);
    if (!decoded) return std::nullopt;
    std::string text(decoded->begin(), decoded->end());
    auto colon = text.find(':');
    if (colon == std::string::npos) return std::nullopt;
    return std::pair(text.substr(0, colon), text.substr(colon + 1));
}

HttpIdentity HttpAccess::check(const broker::AccessPolicy& policy, std::string_view authorization,
                               std::chrono::steady_clock::time_point now) {
    if (authorization.empty() || !policy.passwords)
        return {policy.allow_anonymous ? HttpVerdict::allowed : HttpVerdict::needs_credentials, std::nullopt};
    if (remembered_for_ != policy.passwords.get()) {
        remembered_for_ = policy.passwords.get();
        remembered_.clear();
    }
    if (auto it = remembered_.find(authorization); it != remembered_.end())
        return {HttpVerdict::allowed, it->second};
    if (now - window_start_ >= std::chrono::seconds(1)) {
        window_start_ = now;
        failures_in_window_ = 0;
    }
    if (failures_in_window_ >= kFailuresPerSecond) return {HttpVerdict::throttled, std::nullopt};
    auto credentials = parse_basic_credentials(authorization);
    if (!credentials || !policy.passwords->verify(credentials->first, credentials->second)) {
        ++failures_in_window_;
        return {HttpVerdict::needs_credentials, std::nullopt};
    }
    if (remembered_.size() >= kRememberedCredentials) remembered_.clear();
    remembered_.emplace(authorization, credentials->first);
    return {HttpVerdict::allowed, credentials->first};
}

}  // namespace culex::ops
