#include "lab/network.hpp"

#include <signal.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "lab/process.hpp"

namespace culex::lab {

namespace {

constexpr std::string_view kPrefix = "culex-lab-";
constexpr Milliseconds kIpTimeout{10000};
const std::string kNetnsDir = "/run/netns";

Result<void> run_ip(const std::vector<std::string>& argv) {
    auto result = run_command(argv, kIpTimeout, {.interruptible = false});
    if (!result) return std::unexpected(result.error());
    if (result->exit_code == 127 && result->output.starts_with("exec failed: ip"))
        return std::unexpected(Error{"the ip command is not installed: apt install iproute2"});
    if (result->timed_out)
        return std::unexpected(
            Error{fmt::format("`{}` did not end within {} s", shell_line(argv), kIpTimeout.count() / 1000)});
    if (result->exit_code != 0)
        return std::unexpected(Error{fmt::format("`{}` failed (exit code {}): {}", shell_line(argv),
                                                 result->exit_code, result->output)});
    return {};
}

}  // namespace

NamespaceNames namespace_names(pid_t pid) {
    std::string base = fmt::format("{}{}-", kPrefix, pid);
    return {base + "broker", base + "client"};
}

std::optional<pid_t> namespace_owner(std::string_view name) {
    if (!name.starts_with(kPrefix)) return std::nullopt;
    name.remove_prefix(kPrefix.size());
    pid_t pid = 0;
    auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (error != std::errc() || pid <= 0) return std::nullopt;
    std::string_view rest(end, name.data() + name.size() - end);
    if (rest != "-broker" && rest != "-client") return std::nullopt;
    return pid;
}

std::vector<std::vector<std::string>> setup_commands(const NamespaceNames& n) {
    std::string ifname(kInterface);
    std::string broker_cidr = std::string(kBrokerAddress) + "/24";
    std::string client_cidr = std::string(kClientAddress) + "/24";
    return {
        {"ip", "netns", "add", n.broker},
        {"ip", "netns", "add", n.client},
        // Both ends are made inside their namespace: the name enp0s3 never appears on this machine's own
        // stack.
        {"ip", "link", "add", ifname, "netns", n.broker, "type", "veth", "peer", "name", ifname, "netns",
         n.client},
        {"ip", "-n", n.broker, "address", "add", broker_cidr, "dev", ifname},
        {"ip", "-n", n.client, "address", "add", client_cidr, "dev", ifname},
        {"ip", "-n", n.broker, "link", "set", "lo", "up"},
        {"ip", "-n", n.client, "link", "set", "lo", "up"},
        {"ip", "-n", n.broker, "link", "set", ifname, "up"},
        {"ip", "-n", n.client, "link", "set", ifname, "up"},
    };
}

bool namespace_exists(const std::string& name) {
    std::error_code ec;
    return std::filesystem::exists(std::filesystem::path(kNetnsDir) / name, ec);
}

std::vector<std::string> remove_stale_namespaces() {
    std::vector<std::string> removed;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(kNetnsDir, ec)) {
        std::string name = entry.path().filename().string();
        auto owner = namespace_owner(name);
        if (!owner) continue;
        if (kill(*owner, 0) == 0 || errno != ESRCH) continue;  // its culex is alive (or not ours to judge)
        if (std::filesystem::exists(keep_marker(*owner), ec)) continue;
        if (run_ip({"ip", "netns", "delete", name})) removed.push_back(name);
    }
    return removed;
}

std::string keep_marker(pid_t pid) {
    return fmt::format("/run/culex-lab/kept-{}", pid);
}

void LabNetwork::keep() {
    keep_ = true;
    std::error_code ec;
    std::filesystem::create_directories("/run/culex-lab", ec);
    std::ofstream(keep_marker(owner_)) << names_.broker << '\n' << names_.client << '\n';
}

Result<LabNetwork> LabNetwork::create(pid_t owner) {
    LabNetwork network(namespace_names(owner), owner);
    for (const auto& name : {network.names_.broker, network.names_.client}) {
        if (namespace_exists(name))
            return std::unexpected(Error{fmt::format(
                "network namespace {} exists already: another culex lab with pid {} is running (or its "
                "namespaces were kept with --keep); remove it with: ip netns delete {}",
                name, owner, name)});
    }
    for (const auto& argv : setup_commands(network.names_)) {
        auto done = run_ip(argv);
        if (!done)  // the destructor removes what was made
            return std::unexpected(Error{"cannot make the lab's network: " + done.error().message});
    }
    network.wait_for_carrier();
    return network;
}

void LabNetwork::wait_for_carrier() const {
    // The kernel's linkwatch reports a veth end UP a moment after both ends are set up; until then `ip
    // address` shows the client's end DOWN. No event to wait on from here: look again every 20 ms, for at
    // most 3 s (and go on either way: the first connection waits for the carrier by itself).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (std::chrono::steady_clock::now() < deadline) {
        bool up = true;
        for (const auto& name : {names_.broker, names_.client}) {
            auto state = run_command({"ip", "-n", name, "-o", "link", "show", std::string(kInterface)},
                                     kIpTimeout, {.interruptible = false});
            up = up && state && state->output.find("state UP") != std::string::npos;
        }
        if (up) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

LabNetwork::LabNetwork(LabNetwork&& other) noexcept
    : names_(std::move(other.names_)), owner_(other.owner_), active_(other.active_), keep_(other.keep_) {
    other.active_ = false;
}

std::optional<std::string> LabNetwork::remove() {
    if (!active_) return std::nullopt;
    active_ = false;
    std::string problems;
    // Deleting a namespace deletes the veth end in it, and with it the pair.
    for (const auto& name : {names_.broker, names_.client}) {
        if (!namespace_exists(name)) continue;
        auto done = run_ip({"ip", "netns", "delete", name});
        if (!done) problems += done.error().message + "\n";
    }
    if (problems.empty()) return std::nullopt;
    return problems;
}

LabNetwork::~LabNetwork() {
    if (!keep_) {
        if (auto problem = remove()) fmt::print(stderr, "culex lab: cleaning up: {}", *problem);
    }
}

}  // namespace culex::lab
