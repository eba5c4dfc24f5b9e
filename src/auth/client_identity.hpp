// Who a connected client is, as far as ACLs care: its client identifier and, unless it is anonymous, its user
// name (from CONNECT, or from its certificate with use_identity_as_username / use_subject_as_username).
// Views only: the broker's session owns the strings.
#pragma once

#include <optional>
#include <string_view>

namespace culex::auth {

struct ClientIdentity {
    std::string_view client_id;
    std::optional<std::string_view> username;  // nullopt: an anonymous client
};

}  // namespace culex::auth
