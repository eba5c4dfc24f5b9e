// What `culex pub`, `culex sub` and `culex rr` share: where they print; their start-up (default options, the
// command line, a parse stop shown, the client id and its check, TLS, the client and its -d lines); and how a
// finished connection turns into Mosquitto's message and exit code.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "client/args.hpp"
#include "client/client.hpp"
#include "client/error.hpp"
#include "client/message_source.hpp"
#include "client/options_file.hpp"
#include "tls/client_context.hpp"

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

// How a tool is named and refused, for the start-up the three share.
template <typename Args>
struct ToolNames {
    std::string_view program;           // "culex pub": in "Use 'culex pub --help' to see usage."
    std::string_view options_file;      // "culex_pub": the default options file
    std::string_view client_id_prefix;  // "culexpub": in the default client id
    std::string_view invalid_id;        // what libmosquitto says of a client id it refuses
    std::expected<Args, ArgsStop> (*parse)(std::span<const std::string> words);
    std::string (*usage)();
    std::string (*version_line)();
};

// Who the tool connects as and how: the client id (checked as libmosquitto checks it) and the TLS context
// (null for plain TCP).
struct ConnectionSetup {
    std::string client_id;
    tls::ClientContextPtr tls;
};

// The client id and TLS context for `args`; a problem is printed and its exit code (1) is the error.
std::expected<ConnectionSetup, int> prepare_connection(const CommonArgs& args,
                                                       std::string_view client_id_prefix,
                                                       std::string_view invalid_id, const ToolIo& io);

// The default options file's words, then `argv`, parsed. A stop (--help, --version, an error) is printed
// and its exit code is the error.
template <typename Args>
std::expected<Args, int> read_command_line(const ToolNames<Args>& tool, std::span<const std::string> argv,
                                           const ToolIo& io) {
    auto words = with_default_options(tool.options_file, argv);
    auto args = tool.parse(words);
    if (!args)
        return std::unexpected(
            report_stop(args.error(), tool.program, tool.usage(), tool.version_line(), io));
    return std::move(*args);
}

// What a tool has once it is ready to connect.
template <typename Args>
struct Started {
    Args args;
    std::string payload;  // pub's and rr's message (-m, -f, -s, -n); empty for sub
    ConnectionSetup setup;
};

// The start-up the three tools share: the command line, for pub and rr the message (read before the client
// id is made, as Mosquitto does), then the connection's setup. A problem is printed; its exit code is the
// error.
template <typename Args>
std::expected<Started<Args>, int> start_tool(const ToolNames<Args>& tool, std::span<const std::string> argv,
                                             const ToolIo& io) {
    auto args = read_command_line(tool, argv, io);
    if (!args) return std::unexpected(args.error());
    Started<Args> started{std::move(*args), {}, {}};
    if constexpr (requires { started.args.source; }) {
        const auto& a = started.args;
        auto payload = load_message(a.source, a.message, a.file, io.in_fd, io.err);
        if (!payload) return std::unexpected(1);
        started.payload = std::move(*payload);
    }
    auto setup = prepare_connection(started.args.common, tool.client_id_prefix, tool.invalid_id, io);
    if (!setup) return std::unexpected(setup.error());
    started.setup = std::move(*setup);
    return started;
}

// The client a tool runs: `options`, over TCP or TLS, and with -d every debug line printed on io.out.
void emplace_client(std::optional<Client>& client, boost::asio::io_context& context, ClientOptions options,
                    const CommonArgs& args, const ConnectionSetup& setup, const ToolIo& io,
                    ClientCallbacks callbacks);

// What the tool's run returned, once everything it printed is out.
int finish_run(int exit_code, const ToolIo& io);

// Mosquitto's MOSQ_ERR_TIMEOUT: sub's and rr's exit code when -W runs out.
inline constexpr int kTimedOutExitCode = 27;

// An error line on io.err, unless --quiet.
void print_error(const CommonArgs& args, const ToolIo& io, std::string_view text);

// -W ran out: "Timed out" (unless --quiet); returns kTimedOutExitCode.
int report_timeout(const CommonArgs& args, const ToolIo& io);

// A connection that ended with `error` (not a refusal: each tool words those its own way): prints
// Mosquitto's line for it (unless --quiet) and returns its exit code.
int report_failure(const CommonArgs& args, const Error& error, const ToolIo& io);

}  // namespace culex::client
