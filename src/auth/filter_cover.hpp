// Whether one topic filter covers another: every topic the inner filter can match, the outer one matches too.
// This is how an ACL rule (a filter) judges a SUBSCRIBE (also a filter), as Mosquitto 2's dynamic security
// plugin does: "+" covers any one level (a literal or "+"), "#" covers the rest, a literal covers only
// itself.
#pragma once

#include <string_view>

namespace culex::auth {

// Both must be valid topic filters. As with topic matching, a filter starting with '$' is covered only by a
// filter starting with '$', and the other way round.
bool filter_covers(std::string_view outer, std::string_view inner);

}  // namespace culex::auth
