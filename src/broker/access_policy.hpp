// Who may connect through a listener and what they may do: allow_anonymous, the password file and the ACL
// that apply to it (global, or the listener's own with per_listener_settings). Immutable once built: a
// reload (SIGHUP) builds new policies and swaps them in, and connections pick up the new one at their next
// check.
#pragma once

#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/acl.hpp"
#include "auth/password_file.hpp"

namespace culex::broker {

struct AccessPolicy {
    bool allow_anonymous = false;
    bool allow_zero_length_clientid = true;  // per listener too: with per_listener_settings they differ
    std::string auto_id_prefix = "auto-";
    std::string password_file_path;                       // for logs
    std::shared_ptr<const auth::PasswordFile> passwords;  // null: no password_file
    std::shared_ptr<const auth::Acl> acl;                 // null: no acl_file, everything allowed

    // Whether the client may touch `topic` (a topic name for read/write, a filter for subscribe). `username`:
    // null for anonymous.
    bool allows(std::string_view client_id, const std::string* username, auth::Access access,
                std::string_view topic) const {
        if (!acl) return true;
        auth::ClientIdentity identity{client_id, std::nullopt};
        if (username) identity.username = *username;
        return acl->allows(identity, access, topic);
    }
};

using PolicyPtr = std::shared_ptr<const AccessPolicy>;

struct AccessFiles {
    bool allow_anonymous = false;
    std::string password_file;  // empty: none
    std::string acl_file;       // empty: none
};

// Reads the files. The error names the file, the line, the cause and the fix.
std::expected<AccessPolicy, std::string> load_access_policy(const AccessFiles& files);

}  // namespace culex::broker
