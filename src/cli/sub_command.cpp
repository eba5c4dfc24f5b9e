// `culex sub`: not written yet; the subcommand exists so that --help lists it.
#include <cstdio>

#include "cli/commands.hpp"

namespace culex::cli {

void add_sub_command(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("sub", "(not implemented yet)");
    cmd->callback([&exit_code] {
        std::fprintf(stderr, "culex sub: not implemented yet\n");
        exit_code = 2;
    });
}

}  // namespace culex::cli
