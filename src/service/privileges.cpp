#include "service/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "log/logger.hpp"

namespace culex::service {

namespace {

using culex::log::logger;
using culex::log::LogType;

std::string current_user_name() {
    const uid_t uid = ::geteuid();
    if (const passwd* entry = ::getpwuid(uid)) return entry->pw_name;
    return fmt::format("uid {}", uid);
}

void warn_running_as_root() {
    logger().log(LogType::warning, "Warning: culex should not be run as root/administrator.");
    logger().log(LogType::warning,
                 "Warning: set `user NAME` in the config to drop to that user once the listeners are open "
                 "(the culex package's unit starts it as user culex).");
}

}  // namespace

std::expected<UserIdentity, std::string> find_user(const std::string& name) {
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(size > 0 ? static_cast<std::size_t>(size) : 16384);
    passwd entry{};
    passwd* found = nullptr;
    const int rc = ::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (rc != 0 || !found) {
        return std::unexpected(fmt::format(
            "Unable to drop privileges to '{}' because this user does not exist. Create it (adduser --system "
            "--group {}) or name an existing user in the config's `user` line.",
            name, name));
    }
    return UserIdentity{found->pw_name, found->pw_uid, found->pw_gid};
}

std::expected<void, std::string> drop_privileges(const std::optional<std::string>& user) {
    if (::geteuid() != 0) {
        if (user && *user != current_user_name())
            logger().log(LogType::information,
                         "Not dropping privileges to '{}': culex was started as {}, not as root.", *user,
                         current_user_name());
        return {};
    }
    if (!user || *user == "root") {
        warn_running_as_root();
        return {};
    }
    auto identity = find_user(*user);
    if (!identity) return std::unexpected(identity.error());
    // Groups first: once the uid is not root, the groups cannot be changed any more.
    if (::initgroups(identity->name.c_str(), identity->gid) != 0)
        return std::unexpected(
            fmt::format("Error setting groups whilst dropping privileges: {}.", std::strerror(errno)));
    if (::setgid(identity->gid) != 0)
        return std::unexpected(
            fmt::format("Error setting gid whilst dropping privileges: {}.", std::strerror(errno)));
    if (::setuid(identity->uid) != 0)
        return std::unexpected(
            fmt::format("Error setting uid whilst dropping privileges: {}.", std::strerror(errno)));
    if (identity->uid != 0 && ::setuid(0) == 0)
        return std::unexpected(
            fmt::format("dropping privileges to '{}' did not stick: root could be regained", identity->name));
    logger().log(LogType::information, "Dropped privileges to user {} (uid {}, gid {}).", identity->name,
                 identity->uid, identity->gid);
    return {};
}

}  // namespace culex::service
