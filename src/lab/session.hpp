// What every step works with: the two hosts (a namespace and a directory each), running commands in them as
// the student would type them, and recording both in the transcript. Steps are free functions of a session.
#pragma once

#include <filesystem>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "lab/network.hpp"
#include "lab/process.hpp"
#include "lab/report.hpp"
#include "lab/transcript.hpp"

namespace culex::lab {

enum class Host { broker, client };

inline constexpr Milliseconds kCommandTimeout{30000};  // openssl's RSA keys, a client's connection
inline constexpr Milliseconds kReadyTimeout{10000};    // a log line the lab waits for

struct LabSettings {
    std::string culex;  // this culex binary (from /proc/self/exe): child commands named "culex" run it
    NamespaceNames namespaces;
    std::filesystem::path work;  // broker/ and client/ under it, one "home directory" per host
};

class LabSession {
  public:
    LabSession(LabSettings settings, Transcript& transcript);

    Transcript& transcript() { return transcript_; }
    std::filesystem::path dir(Host host) const;
    static const char* prompt(Host host) { return host == Host::broker ? "broker" : "client"; }

    // Runs `argv` on `host` (in its namespace and directory) and shows it with its output.
    Result<CommandResult> run(Host host, const std::vector<std::string>& argv,
                              Milliseconds timeout = kCommandTimeout);
    // run(), and an error naming the command when it does not exit 0.
    Result<CommandResult> run_ok(Host host, const std::vector<std::string>& argv,
                                 Milliseconds timeout = kCommandTimeout);
    // Starts `argv` on `host`; its output is shown by show() once the step has what it needs from it.
    Result<std::unique_ptr<BackgroundProcess>> start(Host host, const std::vector<std::string>& argv);
    void show(Host host, const std::vector<std::string>& argv, const BackgroundProcess& process);

    // A broker on `host` from `config` (a file in its directory), with -v; waits for its listener on `port`.
    Result<std::unique_ptr<BackgroundProcess>> start_broker(const std::vector<std::string>& argv, int port);
    // `culex sniff -i enp0s3 -w PCAP` on the broker; waits until it captures.
    Result<std::unique_ptr<BackgroundProcess>> start_sniff(const std::string& pcap);

    // Writes `name` in `host`'s directory and shows it.
    Result<std::filesystem::path> write_file(Host host, const std::string& name, const std::string& content);
    // What the lab did with scp: copies `name` from one host's directory to the other's.
    Result<void> copy(Host from, const std::string& name, Host to, const std::string& as = "");

    // Files for --report.
    void add_to_report(const std::filesystem::path& source, const std::string& name);
    const std::vector<ReportFile>& report_files() const { return report_files_; }

  private:
    std::vector<std::string> in_namespace(Host host, const std::vector<std::string>& argv) const;
    LabSettings settings_;
    Transcript& transcript_;
    std::vector<ReportFile> report_files_;
};

// An error for a step whose expectation failed, with what was seen.
Error step_failed(const std::string& what, const std::string& output);

// Whether `output` has a line matching `pattern`.
bool has_line(const std::string& output, const std::string& pattern);

}  // namespace culex::lab
