// Relations between two topic filters, for judging a SUBSCRIBE (a filter) against ACL rules (filters):
// whether one covers the other (every topic the inner filter can match, the outer one matches too: "+" covers
// any one level, a literal or "+"; "#" covers the rest; a literal covers only itself), and whether they
// intersect (some topic matches both).
#pragma once

#include <string_view>

namespace culex::auth {

// Both must be valid topic filters. As with topic matching, a filter starting with '$' is covered only by a
// filter starting with '$', and the other way round.
bool filter_covers(std::string_view outer, std::string_view inner);

// Whether some topic name matches both filters ("alice/#" and "+/x" share "alice/x"; "a/+" and "b/#" share
// none). Both must be valid topic filters; a topic starting with '$' is not matched by a filter starting with
// a wildcard, so "$SYS/x" and "+/x" share nothing.
bool filters_intersect(std::string_view a, std::string_view b);

}  // namespace culex::auth
