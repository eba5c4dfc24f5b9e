#include "bridge/local_login.hpp"

#include <fmt/format.h>

namespace culex::bridge {

std::expected<void, std::string> check_local_logins(const std::vector<config::BridgeConfig>& bridges,
                                                    const broker::AccessPolicy& policy) {
    for (const auto& bridge : bridges) {
        if (!bridge.local_username || !policy.passwords) continue;
        const std::string& user = *bridge.local_username;
        auto at = fmt::format("{}:{}: bridge '{}'", bridge.source_file, bridge.local_login_line, bridge.name);
        if (!policy.passwords->has_user(user))
            return std::unexpected(fmt::format(
                "{}: local_username '{}' is not in password_file {}: add the user (culex passwd {} {}) or "
                "name one that is there",
                at, user, policy.password_file_path, policy.password_file_path, user));
        if (!policy.passwords->verify(user, bridge.local_password.value_or(std::string())))
            return std::unexpected(fmt::format(
                "{}: local_password is not the password of user '{}' in password_file {}: give that user's "
                "password (or set it with culex passwd {} {})",
                at, user, policy.password_file_path, policy.password_file_path, user));
    }
    return {};
}

}  // namespace culex::bridge
