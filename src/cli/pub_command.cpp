// `culex pub`: mosquitto_pub's flags, output and exit codes (client/pub_tool.hpp does the work).
#include "cli/client_options.hpp"
#include "cli/commands.hpp"
#include "client/pub_tool.hpp"

namespace culex::cli {

void add_pub_command(CLI::App& app, int& exit_code) {
    auto* cmd = add_passthrough_subcommand(app, "pub",
                                           "publish a message (mosquitto_pub's flags; --help lists them)");
    cmd->callback([cmd, &exit_code] { exit_code = client::run_pub(raw_args(*cmd)); });
}

}  // namespace culex::cli
