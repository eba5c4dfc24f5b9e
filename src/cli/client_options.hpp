// The command-line glue `culex pub`, `culex sub` (and later `culex rr`) share: a CLI11 subcommand that hands
// its words untouched to the client library's Mosquitto-compatible parser, because Mosquitto's flags (-h for
// the host, order-sensitive errors in Mosquitto's words) are not CLI11's.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace culex::cli {

// A subcommand whose every argument, --help included, reaches `raw_args` in order.
CLI::App* add_passthrough_subcommand(CLI::App& app, const std::string& name, const std::string& description);

// The words after the subcommand's name, as typed.
std::vector<std::string> raw_args(CLI::App& cmd);

}  // namespace culex::cli
