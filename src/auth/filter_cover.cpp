#include "auth/filter_cover.hpp"

namespace culex::auth {

namespace {

// The next level of `filter` (up to '/'), removed from it; `done` once the last level was taken.
std::string_view take_level(std::string_view& filter, bool& done) {
    auto slash = filter.find('/');
    if (slash == std::string_view::npos) {
        auto level = filter;
        filter = {};
        done = true;
        return level;
    }
    auto level = filter.substr(0, slash);
    filter.remove_prefix(slash + 1);
    return level;
}

}  // namespace

bool filter_covers(std::string_view outer, std::string_view inner) {
    if (outer.empty() || inner.empty()) return false;
    if ((outer.front() == '$') != (inner.front() == '$')) return false;
    bool outer_done = false;
    bool inner_done = false;
    while (!outer_done) {
        auto outer_level = take_level(outer, outer_done);
        if (outer_level == "#") return true;  // also covers the parent level: "a/#" covers "a"
        if (inner_done) return false;
        auto inner_level = take_level(inner, inner_done);
        if (outer_level == "+") {
            if (inner_level == "#") return false;
            continue;
        }
        if (outer_level != inner_level) return false;
    }
    return inner_done;
}

}  // namespace culex::auth
