// `culex doctor`: `config -c FILE` checks every TLS listener of a mosquitto.conf offline; `connect -h HOST -p
// PORT [--cafile F --cert F --key F]` runs one connection step by step. Both exit 1 when something is wrong.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "tls/doctor_config.hpp"
#include "tls/doctor_connect.hpp"

namespace culex::cli {

namespace {

struct ConnectFlags {
    std::string host = "localhost";
    int port = 8883;
    std::string cafile, capath, cert, key, tls_version, ciphers, alpn, id = "culex-doctor";
    std::optional<std::string> username, password;
    bool insecure = false;
    bool os_certs = false;
    int timeout_ms = 5000;
};

}  // namespace

void add_doctor_command(CLI::App& app, int& exit_code) {
    auto* doctor =
        app.add_subcommand("doctor", "find what is wrong with a TLS setup (config check, connection test)");
    doctor->require_subcommand(1);

    auto* config = doctor->add_subcommand("config", "check every TLS listener of a config file, offline");
    auto config_file = std::make_shared<std::string>();
    config->add_option("-c,--config-file", *config_file, "mosquitto.conf to check")->required();
    config->callback([config_file, &exit_code] {
        auto report = tls::doctor_config_file(*config_file);
        if (!report) {
            std::fprintf(stderr, "Error: %s\n", report.error().message.c_str());
            exit_code = 1;
            return;
        }
        std::fputs(tls::render_config_report(*report).c_str(), stdout);
        exit_code = report->faults() > 0 ? 1 : 0;
    });

    auto* connect =
        doctor->add_subcommand("connect", "connect to a broker step by step: TCP, TLS, chain, host, MQTT");
    connect->set_help_flag("--help");  // -h is the host, as in mosquitto_pub
    auto flags = std::make_shared<ConnectFlags>();
    connect->add_option("-h,--host", flags->host, "broker host (default localhost)");
    connect->add_option("-p,--port", flags->port, "broker port (default 8883)")->check(CLI::Range(1, 65535));
    connect->add_option("--cafile", flags->cafile, "CA certificates to verify the broker with");
    connect->add_option("--capath", flags->capath, "directory of CA certificates");
    connect->add_option("--cert", flags->cert, "client certificate");
    connect->add_option("--key", flags->key, "client private key");
    connect->add_flag("--insecure", flags->insecure, "do not check the host name");
    connect->add_flag("--tls-use-os-certs", flags->os_certs, "trust the system's CA store");
    connect
        ->add_option("--tls-version", flags->tls_version, "oldest TLS version: tlsv1.3, tlsv1.2 or tlsv1.1")
        ->check(CLI::IsMember({"tlsv1.3", "tlsv1.2", "tlsv1.1"}));
    connect->add_option("--ciphers", flags->ciphers, "OpenSSL cipher list (TLS 1.2)");
    connect->add_option("--tls-alpn", flags->alpn, "ALPN protocol to offer");
    connect->add_option("-i,--id", flags->id, "client id for the MQTT step");
    connect->add_option("-u,--username", flags->username, "user name for the MQTT step");
    connect->add_option("-P,--pw", flags->password, "password for the MQTT step");
    connect->add_option("--timeout-ms", flags->timeout_ms, "bound on each step (default 5000)");
    connect->callback([flags, &exit_code] {
        tls::ConnectOptions options;
        options.host = flags->host;
        options.port = static_cast<std::uint16_t>(flags->port);
        options.tls.cafile = flags->cafile;
        options.tls.capath = flags->capath;
        options.tls.certfile = flags->cert;
        options.tls.keyfile = flags->key;
        options.tls.insecure = flags->insecure;
        options.tls.use_os_certs = flags->os_certs;
        options.tls.ciphers = flags->ciphers;
        options.tls.alpn = flags->alpn;
        if (flags->tls_version == "tlsv1.3") options.tls.min_version = config::TlsVersion::tls1_3;
        if (flags->tls_version == "tlsv1.2") options.tls.min_version = config::TlsVersion::tls1_2;
        if (flags->tls_version == "tlsv1.1") options.tls.min_version = config::TlsVersion::tls1_1;
        options.client_id = flags->id;
        options.username = flags->username;
        options.password = flags->password;
        options.timeout = std::chrono::milliseconds(flags->timeout_ms);
        auto report = tls::doctor_connect(options);
        std::fputs(tls::render_connect_report(report).c_str(), stdout);
        exit_code = report.ok() ? 0 : 1;
    });
}

}  // namespace culex::cli
