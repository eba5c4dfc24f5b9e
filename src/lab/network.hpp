// The lab's two hosts: network namespaces joined by a veth pair whose ends are both called enp0s3, as on the
// lab's VirtualBox machines: the broker at 192.168.56.101/24, the client at 192.168.56.102/24. Nothing else
// is in them (no route, no other link), so the lab's traffic cannot leave them.
//
// Names carry the pid of the culex process that made them (culex-lab-PID-broker, culex-lab-PID-client), so
// parallel runs never collide and a crashed run's namespaces are recognised and removed by the next run.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lab/error.hpp"

namespace culex::lab {

inline constexpr std::string_view kBrokerAddress = "192.168.56.101";
inline constexpr std::string_view kClientAddress = "192.168.56.102";
inline constexpr std::string_view kInterface = "enp0s3";

struct NamespaceNames {
    std::string broker;
    std::string client;
};

NamespaceNames namespace_names(pid_t pid);

// The pid in a name made by namespace_names(), or nullopt for any other name.
std::optional<pid_t> namespace_owner(std::string_view name);

// The `ip` commands that make the two hosts, in order (each an argv).
std::vector<std::vector<std::string>> setup_commands(const NamespaceNames& names);

// Removes the lab namespaces whose culex process is gone (a run killed with SIGKILL, or a crash) and that
// were not kept on purpose (--keep, see keep_marker()). Returns the names removed.
std::vector<std::string> remove_stale_namespaces();

// The file that marks the namespaces of `pid` as kept: /run/culex-lab/kept-PID.
std::string keep_marker(pid_t pid);

class LabNetwork {
  public:
    // Makes both namespaces and the link; on failure removes what it made.
    static Result<LabNetwork> create(pid_t owner);
    ~LabNetwork();
    LabNetwork(LabNetwork&& other) noexcept;
    LabNetwork& operator=(LabNetwork&&) = delete;
    LabNetwork(const LabNetwork&) = delete;

    const NamespaceNames& names() const { return names_; }
    // Leaves the namespaces in place when this object goes (--keep), marked so that later runs leave them
    // too.
    void keep();
    // Removes both namespaces now; what went wrong, if anything.
    std::optional<std::string> remove();

  private:
    void wait_for_carrier() const;
    LabNetwork(NamespaceNames names, pid_t owner) : names_(std::move(names)), owner_(owner) {}
    NamespaceNames names_;
    pid_t owner_;
    bool active_ = true;
    bool keep_ = false;
};

// Whether a network namespace of that name exists (/run/netns/NAME).
bool namespace_exists(const std::string& name);

}  // namespace culex::lab
