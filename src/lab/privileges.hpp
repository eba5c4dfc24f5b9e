// What `culex lab` needs from the kernel before it touches anything: CAP_SYS_ADMIN (`ip netns add` mounts
// and unshares a network namespace, `ip netns exec` enters it), CAP_NET_ADMIN (the veth pair, the addresses)
// and CAP_NET_RAW (`culex sniff`'s live capture). Root has all three.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace culex::lab {

// The effective capability set from the text of /proc/self/status ("CapEff:\t000001ffffffffff").
std::optional<std::uint64_t> parse_effective_capabilities(std::string_view proc_status);

// The names of the capabilities the lab needs that `effective` lacks ("CAP_SYS_ADMIN", ...), in that order.
std::vector<std::string> missing_capabilities(std::uint64_t effective);

// Nothing when the lab may run; otherwise what is missing and how to get it.
std::optional<std::string> privilege_problem(std::uint64_t effective);

// privilege_problem() for this process (reads /proc/self/status).
std::optional<std::string> check_privileges();

}  // namespace culex::lab
