#include "lab/session.hpp"

#include <csignal>
#include <fstream>

#include <fmt/format.h>

namespace culex::lab {

namespace fs = std::filesystem;

LabSession::LabSession(LabSettings settings, Transcript& transcript)
    : settings_(std::move(settings)), transcript_(transcript) {}

fs::path LabSession::dir(Host host) const {
    return settings_.work / prompt(host);
}

std::vector<std::string> LabSession::in_namespace(Host host, const std::vector<std::string>& argv) const {
    const auto& ns = host == Host::broker ? settings_.namespaces.broker : settings_.namespaces.client;
    std::vector<std::string> full = {"ip", "netns", "exec", ns};
    for (std::size_t i = 0; i < argv.size(); ++i)
        full.push_back(i == 0 && argv[0] == "culex" ? settings_.culex : argv[i]);
    return full;
}

Result<CommandResult> LabSession::run(Host host, const std::vector<std::string>& argv, Milliseconds timeout) {
    auto result = run_command(in_namespace(host, argv), timeout, {.directory = dir(host).string()});
    if (!result) return result;
    std::string output = result->output;
    if (result->timed_out) output += fmt::format("(culex lab: stopped after {} s)\n", timeout.count() / 1000);
    transcript_.command(prompt(host), shell_line(argv), output);
    return result;
}

Result<CommandResult> LabSession::run_ok(Host host, const std::vector<std::string>& argv,
                                         Milliseconds timeout) {
    auto result = run(host, argv, timeout);
    if (result && result->exit_code != 0)
        return std::unexpected(step_failed(fmt::format("`{}` on the {} failed (exit code {})",
                                                       shell_line(argv), prompt(host), result->exit_code),
                                           result->output));
    return result;
}

Result<std::unique_ptr<BackgroundProcess>> LabSession::start(Host host,
                                                             const std::vector<std::string>& argv) {
    transcript_.started(prompt(host), shell_line(argv));
    return BackgroundProcess::start(in_namespace(host, argv), {.directory = dir(host).string()});
}

void LabSession::show(Host host, const std::vector<std::string>& argv, const BackgroundProcess& process) {
    transcript_.output_of(prompt(host), shell_line(argv), process.output());
}

Result<std::unique_ptr<BackgroundProcess>> LabSession::start_broker(const std::vector<std::string>& argv,
                                                                    int port) {
    auto broker = start(Host::broker, argv);
    if (!broker) return broker;
    auto ready =
        (*broker)->wait_for(std::regex(fmt::format("Opening ipv4 listen socket on port {}\\.", port)),
                            kReadyTimeout, fmt::format("`{}` to listen on port {}", shell_line(argv), port));
    if (!ready) {
        show(Host::broker, argv, **broker);
        return std::unexpected(ready.error());
    }
    return broker;
}

Result<std::unique_ptr<BackgroundProcess>> LabSession::start_sniff(const std::string& pcap) {
    std::vector<std::string> argv = {"culex", "sniff", "-i", std::string(kInterface), "-w", pcap};
    auto sniff = start(Host::broker, argv);
    if (!sniff) return sniff;
    auto ready =
        (*sniff)->wait_for(std::regex("Capturing on"), kReadyTimeout, "culex sniff to start capturing");
    if (!ready) {
        show(Host::broker, argv, **sniff);
        return std::unexpected(ready.error());
    }
    return sniff;
}

Result<fs::path> LabSession::write_file(Host host, const std::string& name, const std::string& content) {
    fs::path path = dir(host) / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) return std::unexpected(Error{fmt::format("cannot write {}", path.string())});
    transcript_.file(prompt(host), name, content);
    return path;
}

Result<void> LabSession::copy(Host from, const std::string& name, Host to, const std::string& as) {
    std::string target = as.empty() ? fs::path(name).filename().string() : as;
    std::error_code ec;
    fs::copy_file(dir(from) / name, dir(to) / target, fs::copy_options::overwrite_existing, ec);
    if (ec)
        return std::unexpected(Error{fmt::format("cannot copy {} to the {}: {}", (dir(from) / name).string(),
                                                 prompt(to), ec.message())});
    transcript_.say(fmt::format(
        "(In the lab: `scp {} {}@{}:{}`. Here the {}'s {} is copied to the {}'s directory.)", name, "student",
        to == Host::client ? kClientAddress : kBrokerAddress, target, prompt(from), name, prompt(to)));
    return {};
}

void LabSession::add_to_report(const fs::path& source, const std::string& name) {
    report_files_.push_back({source, name});
}

Error step_failed(const std::string& what, const std::string& output) {
    return Error{output.empty() ? what : fmt::format("{}; output:\n{}", what, output)};
}

bool has_line(const std::string& output, const std::string& pattern) {
    return std::regex_search(output, std::regex(pattern));
}

}  // namespace culex::lab
