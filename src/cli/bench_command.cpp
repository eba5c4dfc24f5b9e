// `culex bench SCENARIO`: the MQTT load generator (bench/runner.hpp does the work).
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "bench/runner.hpp"
#include "cli/commands.hpp"

namespace culex::cli {

namespace {

struct BenchFlags {
    bench::Options options;
    std::string scenario;
    std::string version = "3.1.1";
    int qos = 0;
    bool json = false;
    bool quiet = false;
};

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
    auto flags = std::make_shared<BenchFlags>();
    auto& o = flags->options;
    auto* cmd = app.add_subcommand("bench", "an MQTT load generator: throughput, loss, latency, broker cost");
    cmd->set_help_flag("--help", "Print this help and exit");
    cmd->add_option("scenario", flags->scenario, "conn, pub, sub, fanin, fanout, p2p or shared")->required();
    cmd->add_option("-h,--host", o.host, "Broker host (default 127.0.0.1)");
    cmd->add_option("-p,--port", o.port, "Broker port (default 1883)");
    cmd->add_option("--pub-port", o.pub_port,
                    "Publishers connect to this port instead of -p (a bridged pair: publish on one broker)");
    cmd->add_option("--sub-port", o.sub_port,
                    "Subscribers connect to this port instead of -p (a bridged pair: receive on the other)");
    cmd->add_option("-V,--protocol-version", flags->version, "MQTT version: 3.1.1 (default), 5 or 3.1");
    cmd->add_option("-c,--clients", o.clients,
                    "Pairs (p2p, default 8), publishers (fanin 8, pub 1), subscribers (fanout 16, sub 1, "
                    "shared 4), connections (conn 100)");
    cmd->add_option("--publishers", o.publishers, "shared: publishers feeding the group (default 1)");
    cmd->add_option("-q,--qos", flags->qos, "QoS 0, 1 or 2 (default 0)")->check(CLI::Range(0, 2));
    cmd->add_option("-s,--size", o.payload_size, "Payload bytes (default 64, at least 24)");
    cmd->add_option("-r,--rate", o.rate, "Messages per second, all publishers together (default: flat out)");
    auto* duration =
        cmd->add_option("-d,--duration", o.duration, "Seconds of publishing or holding (default 10)");
    cmd->add_option("-n,--count", o.count,
                    "Messages per publisher (ends the run; -d still bounds it if given)");
    cmd->add_option(
        "-w,--inflight", o.inflight,
        "Per publisher: QoS 0 messages not yet received by our subscribers (default 1000), QoS 1/2 "
        "PUBLISHes not yet acknowledged (default 100)");
    cmd->add_option("-T,--threads", o.threads, "Event loops (default 1), connections spread over them");
    cmd->add_option("--connect-rate", o.connect_rate,
                    "New connections per second (default: as fast as possible)");
    cmd->add_option("-t,--topic", o.topic,
                    "pub: topic (%i: publisher number); sub: filter (default culex-bench/#)");
    cmd->add_option("-u,--username", o.username, "Username");
    cmd->add_option("-P,--pw", o.password, "Password");
    cmd->add_option("-k,--keepalive", o.keepalive, "Keepalive seconds (default 60)");
    cmd->add_option("--broker-pid", o.broker_pids,
                    "Measure this process's CPU seconds and RSS during the run; repeat it (or give PID,PID) "
                    "to measure several brokers together, summed")
        ->delimiter(',');
    cmd->add_option("--drain", o.drain,
                    "Seconds to wait for messages in flight after publishing (default 5)");
    cmd->add_option("--connect-timeout", o.connect_timeout,
                    "Seconds for every connection to be up (default 30)");
    cmd->add_option("--batch", o.batch_bytes, "Bytes of PUBLISHes per write (default 65536)");
    cmd->add_flag("--disable-clean-session", o.persistent_subscribers,
                  "Subscribers connect with clean session 0 (MQTT 5: clean start 0, session expiry 3600 s), "
                  "so a broker with persistence stores their sessions");
    cmd->add_flag("--tls", o.tls.requested,
                  "Connect with TLS (implied by --cafile, --capath, --cert); alone, trusts the system's CAs");
    cmd->add_option("--cafile", o.tls.cafile, "TLS: the CA certificates that sign the broker's certificate");
    cmd->add_option("--capath", o.tls.capath, "TLS: a directory of CA certificates (c_rehash'ed)");
    cmd->add_option("--cert", o.tls.certfile, "TLS: client certificate (with --key)");
    cmd->add_option("--key", o.tls.keyfile, "TLS: client private key (with --cert)");
    cmd->add_flag("--insecure", o.tls.insecure,
                  "TLS: do not check the broker's host name against its certificate (the chain still is)");
    cmd->add_option("--tls-version", o.tls.version, "TLS: the oldest version, tlsv1.3, tlsv1.2 or tlsv1.1");
    cmd->add_option("--ciphersuites", o.tls.ciphersuites,
                    "TLS 1.3: the suites to offer, in order, e.g. TLS_AES_128_GCM_SHA256 (OpenSSL's syntax)");
    cmd->add_flag("--json", flags->json, "Print the result as JSON");
    cmd->add_flag("--quiet", flags->quiet, "No progress line");

    cmd->callback([flags, duration, &exit_code] {
        auto& o = flags->options;
        auto scenario = bench::parse_scenario(flags->scenario);
        auto version = bench::parse_version(flags->version);
        if (!scenario || !version) {
            fmt::print(stderr, "culex bench: unknown {} '{}' (see culex bench --help)\n",
                       scenario ? "MQTT version" : "scenario", scenario ? flags->version : flags->scenario);
            exit_code = 2;
            return;
        }
        o.scenario = *scenario;
        o.version = *version;
        o.qos = static_cast<protocol::QoS>(flags->qos);
        if (o.count != 0 && duration->count() == 0) o.duration = 0;  // -n alone: run until the count is sent

        bool tty = isatty(STDERR_FILENO) != 0;
        bench::ProgressSink progress;
        if (!flags->quiet)
            progress = [tty](const bench::Progress& p) {
                if (tty)
                    fmt::print(stderr, "\r\033[K{}", bench::progress_line(p));
                else
                    fmt::print(stderr, "{}\n", bench::progress_line(p));
                std::fflush(stderr);
            };
        auto result = bench::run(o, progress);
        if (!flags->quiet && tty) fmt::print(stderr, "\r\033[K");
        if (!result) {
            fmt::print(stderr, "culex bench: {}\n", result.error().message);
            exit_code = 1;
            return;
        }
        if (flags->json)
            fmt::print("{}\n", bench::to_json(*result).dump(2));
        else
            fmt::print("{}", bench::to_text(*result));
    });
}

}  // namespace culex::cli
