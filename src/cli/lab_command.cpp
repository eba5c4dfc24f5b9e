// `culex lab`: the network-security lab on two hosts (network namespaces), in clear and with TLS, in one
// command.
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "lab/lab.hpp"
#include "lab/steps.hpp"

namespace culex::cli {

void add_lab_command(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<lab::LabOptions>();
    auto* cmd = app.add_subcommand("lab",
                                   "the MQTT security lab on two hosts (network namespaces): plain, sniffed, "
                                   "TLS wrong and right; as root");
    cmd->add_flag("--step", options->pause_before_steps, "Pause before each step (Enter goes on)");
    cmd->add_option("--only", options->only, "Run one step: " + lab::step_names());
    cmd->add_flag("--keep", options->keep,
                  "Leave the namespaces and files for exploration, and say how to enter them");
    cmd->add_option("--report", options->report_dir,
                    "Write the transcript (DIR/lab.md), the captures (pcap) and the certificates to DIR");
    cmd->callback([options, &exit_code] {
        // Child commands named "culex" run this very binary, whatever PATH says.
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0) {
            std::fprintf(stderr, "culex lab: cannot read /proc/self/exe (is /proc mounted?)\n");
            exit_code = 2;
            return;
        }
        options->culex.assign(self, static_cast<std::size_t>(n));
        exit_code = lab::run_lab(*options);
    });
}

}  // namespace culex::cli
