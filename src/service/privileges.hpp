// `user NAME`: a broker started as root becomes NAME (its uid, its primary group and, through initgroups(3),
// its supplementary groups) once its listeners are bound and its keys, certificates and password files are
// read, before it serves anyone, as Mosquitto does. The change covers every thread of the process (glibc
// applies set*id to all threads).
//
// culex's default differs from Mosquitto's: without a `user` line, culex stays the user it was started as
// (Mosquitto, started as root, becomes "mosquitto", or "nobody"). A broker that silently changed user would
// find its persistence directory and log file unwritable; the package's unit starts culex as user culex
// instead (docs/operations.md). Started as root and staying root, culex warns.
#pragma once

#include <sys/types.h>

#include <expected>
#include <optional>
#include <string>

namespace culex::service {

struct UserIdentity {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
};

// Looks a user up in the passwd database; an error names the user and the fix.
std::expected<UserIdentity, std::string> find_user(const std::string& name);

// Applies `user` to this process: nothing unless it runs as root (then it logs why, when NAME differs from
// the current user); otherwise becomes NAME and checks that root cannot be regained. Errors are Mosquitto's
// words ("Unable to drop privileges to 'x' because this user does not exist.") with the fix.
std::expected<void, std::string> drop_privileges(const std::optional<std::string>& user);

}  // namespace culex::service
