// `culex sub`: mosquitto_sub's flags, output and exit codes (client/sub_tool.hpp does the work).
#include "cli/client_options.hpp"
#include "cli/commands.hpp"
#include "client/sub_tool.hpp"

namespace culex::cli {

void add_sub_command(CLI::App& app, int& exit_code) {
    auto* cmd = add_passthrough_subcommand(
        app, "sub", "subscribe and print messages (mosquitto_sub's flags; --help lists them)");
    cmd->callback([cmd, &exit_code] { exit_code = client::run_sub(raw_args(*cmd)); });
}

}  // namespace culex::cli
