// What `culex pub` and `culex sub` share once their flags are parsed: where they print, how a parse stop is
// shown, the client id they use, the ClientOptions their flags mean, and how a finished connection turns into
// Mosquitto's message and exit code.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "client/args.hpp"
#include "client/client.hpp"
#include "client/error.hpp"

namespace culex::client {

// Where a tool reads and prints; the process's own streams in the real commands, files in tests.
struct ToolIo {
    std::FILE* out = stdout;
    std::FILE* err = stderr;
    int in_fd = 0;
    long pid = 0;          // 0: the process id
    std::string hostname;  // empty: the machine's name
};

// Prints what `stop` calls for (usage, version, error and hint) and returns the exit code (1, as Mosquitto).
int report_stop(const ArgsStop& stop, std::string_view program, const std::string& usage,
                const std::string& version_line, const ToolIo& io);

// -i, else -I with the process id, else PREFIX|PID-HOST.
std::string client_id_for(const CommonArgs& args, std::string_view default_prefix, const ToolIo& io);

// Checks the connection flags as libmosquitto would before connecting; an error is printed with these
// words and exit code 1.
std::optional<std::string> check_connection_args(const CommonArgs& args, const std::string& client_id,
                                                 std::string_view invalid_id_message);

ClientOptions client_options_for(const CommonArgs& args, std::string client_id);

// The line Mosquitto's clients print when a first connection fails, and its exit code.
struct Failure {
    std::string message;  // complete line(s), may be empty
    int exit_code = 1;
};
Failure connect_failure(const Error& error);

// printf-style output flushed at once: scripts read our stdout live, through pipes and files.
void print_line(std::FILE* stream, std::string_view text);

}  // namespace culex::client
