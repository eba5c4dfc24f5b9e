// `culex passwd`: mosquitto_passwd's command line. Its options are positional in a way CLI11 does not model
// (they end at the first file name, -H and -I take values, misuse prints the usage and exits 1), so CLI11
// hands the arguments over untouched and auth::run_passwd parses them as mosquitto_passwd does.
#include <iostream>

#include "auth/passwd_tool.hpp"
#include "auth/password_prompt.hpp"
#include "cli/commands.hpp"

namespace culex::cli {

void add_passwd_command(CLI::App& app, int& exit_code) {
    auto* cmd =
        app.add_subcommand("passwd", "manage a password file (mosquitto_passwd's flags; --help lists them)");
    cmd->set_help_flag();  // -h is not help for mosquitto_passwd; --help is handled by run_passwd
    cmd->prefix_command();
    cmd->allow_extras();
    cmd->callback([cmd, &exit_code] {
        auto args = cmd->remaining();
        auth::PasswdIo io{std::cout, std::cerr, auth::read_secret_line};
        exit_code = auth::run_passwd(args, io);
    });
}

}  // namespace culex::cli
