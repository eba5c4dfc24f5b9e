#include "lab/lab.hpp"

#include <poll.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "lab/interrupt.hpp"
#include "lab/lab_steps.hpp"
#include "lab/privileges.hpp"

namespace culex::lab {

namespace {

namespace fs = std::filesystem;

using StepFunction = Result<void> (*)(LabSession&);

StepFunction step_function(const std::string& name) {
    if (name == "network") return step_network;
    if (name == "pubsub") return step_pubsub;
    if (name == "sniff") return step_sniff;
    if (name == "tls-wrong") return step_tls_wrong;
    if (name == "doctor") return step_doctor;
    if (name == "tls-right") return step_tls_right;
    if (name == "login") return step_login;
    return nullptr;
}

// The two hosts' directories; removed at the end unless --keep.
class WorkDirectory {
  public:
    static Result<WorkDirectory> create() {
        std::string pattern = (fs::temp_directory_path() / "culex-lab-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr)
            return std::unexpected(
                Error{fmt::format("cannot make a directory in {}: set TMPDIR to a writable one",
                                  fs::temp_directory_path().string())});
        WorkDirectory work(pattern);
        std::error_code ec;
        for (const char* host : {"broker", "client"})
            fs::create_directory(work.path_ / host, ec);
        if (ec) return std::unexpected(Error{fmt::format("cannot make {}: {}", pattern, ec.message())});
        return work;
    }
    WorkDirectory(WorkDirectory&& other) noexcept : path_(std::move(other.path_)), keep_(other.keep_) {
        other.path_.clear();
    }
    ~WorkDirectory() {
        std::error_code ec;
        if (!keep_ && !path_.empty()) fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }
    void keep() { keep_ = true; }

  private:
    explicit WorkDirectory(fs::path path) : path_(std::move(path)) {}
    fs::path path_;
    bool keep_ = false;
};

// --step: Enter runs the step; end of input runs the rest without asking. Only Ctrl-C stops the wait: the
// person at the keyboard is the bound.
Result<void> pause(const LabOptions& options, int number, const StepInfo& step) {
    fmt::print(options.out, "\n[--step] Press Enter for step {} ({}), Ctrl-C to stop: ", number, step.name);
    std::fflush(options.out);
    int fd = fileno(options.in);
    while (true) {
        pollfd fds[2] = {{fd, POLLIN, 0}, {interrupt_fd(), POLLIN, 0}};
        int ready = poll(fds, 2, -1);
        if (interrupted()) return std::unexpected(Error{"interrupted", true});
        if (ready <= 0) continue;
        char buffer[256];
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n <= 0 || std::memchr(buffer, '\n', n) != nullptr) return {};
    }
}

std::string enter_instructions(const NamespaceNames& names, const fs::path& work, const std::string& culex) {
    return fmt::format(
        "The namespaces are kept (--keep). Enter them with:\n"
        "  ip netns exec {0} bash    # the broker, 192.168.56.101, files in {2}/broker\n"
        "  ip netns exec {1} bash    # the client, 192.168.56.102, files in {2}/client\n"
        "e.g. ip netns exec {0} {3} broker -c {2}/broker/lab.conf -v\n"
        "Remove them with: ip netns delete {0}; ip netns delete {1}; rm -r {2} {4}\n",
        names.broker, names.client, work.string(), culex, keep_marker(getpid()));
}

}  // namespace

int run_lab(const LabOptions& options) {
    auto fail = [&](const std::string& message, int code) {
        fmt::print(stderr, "culex lab: {}\n", message);
        return code;
    };
    if (!options.only.empty() && find_step(options.only) == nullptr)
        return fail(fmt::format("no step called \"{}\"; the steps are: {}", options.only, step_names()), 2);
    if (auto problem = check_privileges()) return fail(*problem, 2);

    InterruptGuard guard;
    for (const auto& name : remove_stale_namespaces())
        fmt::print(options.out, "culex lab: removed {}, left by a culex lab that is gone\n", name);
    auto work = WorkDirectory::create();
    if (!work) return fail(work.error().message, 2);
    auto network = LabNetwork::create(getpid());
    if (!network) return fail(network.error().message, 2);

    Transcript transcript(options.out);
    LabSession session({options.culex, network->names(), work->path()}, transcript);
    transcript.title("culex lab: MQTT on two hosts, in clear and with TLS");
    transcript.say(
        fmt::format("Broker: namespace {}, 192.168.56.101 on enp0s3. Client: namespace {}, "
                    "192.168.56.102 on enp0s3. Each command below ran on the host its prompt names.",
                    network->names().broker, network->names().client));
    int exit_code = 0;
    int number = 0;
    for (const auto& step : lab_steps()) {
        ++number;
        if (!options.only.empty() && step.name != options.only) continue;
        Result<void> done;
        if (options.pause_before_steps) done = pause(options, number, step);
        if (done) {
            transcript.begin_step(number, step);
            done = step_function(step.name)(session);
        }
        if (!done) {
            if (done.error().interrupted || interrupted()) {
                transcript.problem(
                    fmt::format("interrupted (signal {}) during step {}", interrupt_signal(), step.name));
                exit_code = 130;
            } else {
                transcript.problem(fmt::format("step {} failed: {}", step.name, done.error().message));
                exit_code = 1;
            }
            break;
        }
    }
    if (exit_code == 0) transcript.say("Every step did what it should.");

    if (!options.report_dir.empty()) {
        auto written = write_report(options.report_dir, transcript.markdown(), session.report_files());
        if (!written) {
            fmt::print(stderr, "culex lab: {}\n", written.error().message);
            if (exit_code == 0) exit_code = 1;
        } else {
            fmt::print(options.out, "\nReport: {}/lab.md\n", options.report_dir);
        }
    }
    if (options.keep && exit_code != 130) {
        network->keep();
        work->keep();
        fmt::print(options.out, "\n{}", enter_instructions(network->names(), work->path(), options.culex));
    } else if (auto problem = network->remove()) {
        fmt::print(stderr, "culex lab: cleaning up: {}", *problem);
        if (exit_code == 0) exit_code = 1;
    }
    return exit_code;
}

}  // namespace culex::lab
