// local_username/local_password: a bridge's identity on this broker. Checked once, at start (and on a reload
// that brings bridges), against the password file that applies to it, so that a wrong password stops the
// broker with the line named instead of leaving a bridge that the ACL silently keeps from everything.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "broker/access_policy.hpp"
#include "config/bridge_config.hpp"

namespace culex::bridge {

// `policy`: the first listener's (the global one without per_listener_settings), as the broker applies it
// to bridges with a local_username (broker::Client::kBridgeLocal). Without a password file the user name is
// taken as given, as for any client.
std::expected<void, std::string> check_local_logins(const std::vector<config::BridgeConfig>& bridges,
                                                    const broker::AccessPolicy& policy);

}  // namespace culex::bridge
