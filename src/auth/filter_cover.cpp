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

bool is_wildcard(std::string_view level) {
    return level == "+" || level == "#";
}

// The first level of a filter, without taking it.
std::string_view first_level(std::string_view filter) {
    return filter.substr(0, filter.find('/'));
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

bool filters_intersect(std::string_view a, std::string_view b) {
    if (a.empty() || b.empty()) return false;
    // Topics starting with '$' are matched only by filters whose first level is written out.
    if ((a.front() == '$' && is_wildcard(first_level(b))) ||
        (b.front() == '$' && is_wildcard(first_level(a))))
        return false;
    bool a_done = false;
    bool b_done = false;
    while (!a_done && !b_done) {
        auto a_level = take_level(a, a_done);
        auto b_level = take_level(b, b_done);
        if (a_level == "#" || b_level == "#") return true;
        if (a_level != "+" && b_level != "+" && a_level != b_level) return false;
    }
    // One ran out first: the other still meets it only with a last "#", which also matches the parent level.
    if (a_done && b_done) return true;
    return (a_done ? b : a) == "#";
}

}  // namespace culex::auth
