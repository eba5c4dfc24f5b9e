#include "lab/privileges.hpp"

#include <linux/capability.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace culex::lab {

namespace {

struct Needed {
    int bit;
    const char* name;
};
constexpr Needed kNeeded[] = {
    {CAP_SYS_ADMIN, "CAP_SYS_ADMIN"},
    {CAP_NET_ADMIN, "CAP_NET_ADMIN"},
    {CAP_NET_RAW, "CAP_NET_RAW"},
};

}  // namespace

std::optional<std::uint64_t> parse_effective_capabilities(std::string_view proc_status) {
    constexpr std::string_view kKey = "CapEff:";
    auto at = proc_status.find(kKey);
    if (at == std::string_view::npos) return std::nullopt;
    auto value = proc_status.substr(at + kKey.size());
    auto start = value.find_first_not_of(" \t");
    if (start == std::string_view::npos) return std::nullopt;
    value = value.substr(start);
    std::uint64_t caps = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), caps, 16);
    if (error != std::errc() || end == value.data()) return std::nullopt;
    return caps;
}

std::vector<std::string> missing_capabilities(std::uint64_t effective) {
    std::vector<std::string> missing;
    for (const auto& need : kNeeded) {
        if ((effective & (std::uint64_t{1} << need.bit)) == 0) missing.emplace_back(need.name);
    }
    return missing;
}

std::optional<std::string> privilege_problem(std::uint64_t effective) {
    auto missing = missing_capabilities(effective);
    if (missing.empty()) return std::nullopt;
    return fmt::format(
        "culex lab needs {} and does nothing without: CAP_SYS_ADMIN to make and enter the two network "
        "namespaces (ip netns add, ip netns exec), CAP_NET_ADMIN for their veth pair and addresses, "
        "CAP_NET_RAW "
        "for culex sniff's capture. Run it as root: sudo culex lab (setcap on culex is not enough: the ip "
        "commands it runs do not inherit file capabilities). Without root, the loopback version of the lab "
        "needs no privilege: README.md, \"The lab, with culex\".",
        fmt::join(missing, ", "));
}

std::optional<std::string> check_privileges() {
    std::ifstream file("/proc/self/status");
    std::stringstream text;
    text << file.rdbuf();
    auto caps = parse_effective_capabilities(text.str());
    if (!caps) return "culex lab cannot read its capabilities from /proc/self/status (is /proc mounted?)";
    return privilege_problem(*caps);
}

}  // namespace culex::lab
