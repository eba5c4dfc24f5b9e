// culex: one executable, one subcommand per tool.
#include <cstdio>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
    CLI::App app{"culex: a fast, secure MQTT broker and toolkit"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "culex 0.1.0");

    int exit_code = 0;
    culex::cli::add_broker_command(app, exit_code);
    culex::cli::add_pub_command(app, exit_code);
    culex::cli::add_sub_command(app, exit_code);
    culex::cli::add_rr_command(app, exit_code);
    culex::cli::add_pki_command(app, exit_code);
    culex::cli::add_passwd_command(app, exit_code);
    culex::cli::add_sniff_command(app, exit_code);
    culex::cli::add_doctor_command(app, exit_code);
    culex::cli::add_bench_command(app, exit_code);
    culex::cli::add_lab_command(app, exit_code);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    std::fflush(stdout);
    return exit_code;
}
