#include "cli/client_options.hpp"

namespace culex::cli {

CLI::App* add_passthrough_subcommand(CLI::App& app, const std::string& name, const std::string& description) {
    auto* cmd = app.add_subcommand(name, description);
    cmd->set_help_flag();  // --help and -h are the client's own
    cmd->prefix_command();
    cmd->allow_extras();
    return cmd;
}

std::vector<std::string> raw_args(CLI::App& cmd) {
    return cmd.remaining();
}

}  // namespace culex::cli
