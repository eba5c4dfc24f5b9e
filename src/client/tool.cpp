#include "client/tool.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include "client/transport.hpp"
#include "protocol/topic.hpp"

namespace culex::client {

int report_stop(const ArgsStop& stop, std::string_view program, const std::string& usage,
                const std::string& version_line, const ToolIo& io) {
    switch (stop.kind) {
        case ArgsStop::Kind::help:
            std::fputs(usage.c_str(), io.out);
            break;
        case ArgsStop::Kind::version:
            std::fputs(version_line.c_str(), io.out);
            break;
        case ArgsStop::Kind::error:
            std::fputs(stop.message.c_str(), io.err);
            std::fputs(fmt::format("\nUse '{} --help' to see usage.\n", program).c_str(), io.err);
            break;
        case ArgsStop::Kind::error_with_usage:
            std::fputs(stop.message.c_str(), io.err);
            std::fflush(io.err);
            std::fputs(usage.c_str(), io.out);
            break;
    }
    std::fflush(io.out);
    std::fflush(io.err);
    return 1;
}

std::string client_id_for(const CommonArgs& args, std::string_view default_prefix, const ToolIo& io) {
    long pid = io.pid ? io.pid : static_cast<long>(::getpid());
    if (args.id) return *args.id;
    if (args.id_prefix) return fmt::format("{}{}", *args.id_prefix, pid);
    std::string host = io.hostname;
    if (host.empty()) {
        char name[256] = {};
        if (::gethostname(name, sizeof name - 1) == 0) host = name;
    }
    return default_client_id(default_prefix, pid, host);
}

std::optional<std::string> check_connection_args(const CommonArgs& args, const std::string& client_id,
                                                 std::string_view invalid_id_message) {
    if (client_id.empty() || client_id.size() > 65535 || !protocol::is_valid_utf8(client_id)) {
        return std::string(invalid_id_message);
    }
    // MQTT 3.1/3.1.1 cannot carry a password without a user name (3.1.2.9); MQTT 5 can.
    if (args.password && !args.username && args.version != protocol::ProtocolVersion::v5)
        return "Error: Problem setting username and/or password.\n";
    // -D made the client MQTT 5, and a later -V took it back: libmosquitto refuses to connect.
    if (args.properties.any && args.version != protocol::ProtocolVersion::v5)
        return "Unable to connect (This feature is not supported.).\n";
    return std::nullopt;
}

ClientOptions client_options_for(const CommonArgs& args, std::string client_id) {
    ClientOptions options;
    options.endpoint.host = args.host;
    options.endpoint.port = static_cast<std::uint16_t>(args.port);
    auto& s = options.session;
    s.version = args.version;
    s.client_id = std::move(client_id);
    s.clean_session = args.clean_session;
    s.keep_alive = static_cast<std::uint16_t>(args.keepalive);
    s.username = args.username;
    s.password = args.password;
    s.max_inflight = static_cast<std::uint16_t>(args.max_inflight);
    s.connect_properties = args.properties.connect;
    s.disconnect_properties = args.properties.disconnect;
    if (args.will_topic) {
        protocol::Will will;
        will.topic = *args.will_topic;
        will.payload = protocol::Payload(args.will_payload.value_or(std::string()));
        will.qos = static_cast<protocol::QoS>(args.will_qos);
        will.retain = args.will_retain;
        will.properties = args.properties.will;
        s.will = std::move(will);
    }
    return options;
}

Failure connect_failure(const Error& error) {
    switch (error.kind) {
        case ErrorKind::lookup:
            return {fmt::format("Unable to connect ({}).\n", error.message), 1};
        case ErrorKind::connect:
        case ErrorKind::timeout:
            return {fmt::format("Error: {}\n", error.message), 1};
        case ErrorKind::connection_lost:
            return {"Error: The connection was lost.\n", 7};
        case ErrorKind::server_disconnect:
            return {fmt::format("Error: {}\n", error.message), 7};
        case ErrorKind::protocol:
            return {fmt::format("Error: {}\n", error.message), 2};
        case ErrorKind::keepalive:
            return {fmt::format("Error: {}\n", error.message), 19};
        default:
            return {fmt::format("Error: {}\n", error.message), 1};
    }
}

void print_line(std::FILE* stream, std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stream);
    std::fputc('\n', stream);
    std::fflush(stream);
}

std::expected<ConnectionSetup, int> prepare_connection(const CommonArgs& args,
                                                       std::string_view client_id_prefix,
                                                       std::string_view invalid_id, const ToolIo& io) {
    ConnectionSetup setup;
    setup.client_id = client_id_for(args, client_id_prefix, io);
    if (auto problem = check_connection_args(args, setup.client_id, invalid_id)) {
        std::fputs(problem->c_str(), io.err);
        return std::unexpected(1);
    }
    auto tls = tls_for_tool(args, io);
    if (!tls) return std::unexpected(1);
    setup.tls = std::move(*tls);
    return setup;
}

void emplace_client(std::optional<Client>& client, boost::asio::io_context& context, ClientOptions options,
                    const CommonArgs& args, const ConnectionSetup& setup, const ToolIo& io,
                    ClientCallbacks callbacks) {
    if (args.debug) {
        callbacks.on_debug = [&io](std::string_view line) { print_line(io.out, line); };
    }
    client.emplace(context, std::move(options), make_connector(context, setup.tls, io, args.quiet),
                   std::move(callbacks));
}

int finish_run(int exit_code, const ToolIo& io) {
    std::fflush(io.out);
    std::fflush(io.err);
    return exit_code;
}

void print_error(const CommonArgs& args, const ToolIo& io, std::string_view text) {
    if (args.quiet) return;
    std::fwrite(text.data(), 1, text.size(), io.err);
}

int report_timeout(const CommonArgs& args, const ToolIo& io) {
    print_error(args, io, "Timed out\n");
    return kTimedOutExitCode;
}

int report_failure(const CommonArgs& args, const Error& error, const ToolIo& io) {
    auto failure = connect_failure(error);
    print_error(args, io, failure.message);
    return failure.exit_code;
}

}  // namespace culex::client
