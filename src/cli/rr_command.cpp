// `culex rr`: mosquitto_rr's flags, output and exit codes (client/rr_tool.hpp does the work).
#include "cli/client_options.hpp"
#include "cli/commands.hpp"
#include "client/rr_tool.hpp"

namespace culex::cli {

void add_rr_command(CLI::App& app, int& exit_code) {
    auto* cmd = add_passthrough_subcommand(
        app, "rr", "send a request and print the response (mosquitto_rr's flags; --help lists them)");
    cmd->callback([cmd, &exit_code] { exit_code = client::run_rr(raw_args(*cmd)); });
}

}  // namespace culex::cli
