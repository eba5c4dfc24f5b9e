// culex's subcommands. Each lives in its own file (NAME_command.cpp): it declares its flags on a CLI11
// subcommand and, when chosen, runs a library call and stores the process exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace culex::cli {

void add_broker_command(CLI::App& app, int& exit_code);
void add_pub_command(CLI::App& app, int& exit_code);
void add_sub_command(CLI::App& app, int& exit_code);
void add_rr_command(CLI::App& app, int& exit_code);
void add_pki_command(CLI::App& app, int& exit_code);
void add_passwd_command(CLI::App& app, int& exit_code);
void add_sniff_command(CLI::App& app, int& exit_code);
void add_doctor_command(CLI::App& app, int& exit_code);
void add_bench_command(CLI::App& app, int& exit_code);
void add_lab_command(CLI::App& app, int& exit_code);

}  // namespace culex::cli
