// The TLS steps on port 8883: the lab's hand-made certificates and their failure, culex doctor's diagnosis,
// then culex pki's certificates and mutual TLS.
#include <unistd.h>
#include <csignal>

#include <filesystem>

#include <fmt/format.h>

#include "lab/lab_steps.hpp"

namespace culex::lab {

namespace {

namespace fs = std::filesystem;

const std::string kBrokerHost(kBrokerAddress);
// The answers the lab gave to openssl's questions, the same for the CA and for the broker: the first fault.
const std::string kLabSubject = "/C=FR/ST=France/O=ISIS";

bool have_program(const std::string& name) {
    for (const char* dir : {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
        if (::access((fs::path(dir) / name).c_str(), X_OK) == 0) return true;
    }
    return false;
}

std::string tls_config(const fs::path& dir, const std::string& cafile, const std::string& certfile,
                       const std::string& keyfile) {
    return fmt::format(
        "listener 8883\ncafile {}\ncertfile {}\nkeyfile {}\nrequire_certificate true\nallow_anonymous true\n",
        (dir / cafile).string(), (dir / certfile).string(), (dir / keyfile).string());
}

// The lab's certificates, by the lab's commands (once per run: the doctor step reuses them).
Result<void> make_lab_certificates(LabSession& lab) {
    if (fs::exists(lab.dir(Host::broker) / "wrong.conf")) return {};
    lab.transcript().say(
        "The lab's commands, on the broker (the lab answered openssl's questions; -subj gives the same "
        "answers):");
    const std::vector<std::vector<std::string>> commands = {
        {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
         "-days", "100", "-subj", kLabSubject},
        {"openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
         "-subj", kLabSubject},
        {"openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
         "-CAcreateserial", "-out", "server.crt", "-days", "100"},
    };
    for (const auto& argv : commands) {
        auto made = lab.run_ok(Host::broker, argv);
        if (!made) return std::unexpected(made.error());
    }
    auto copied = lab.copy(Host::broker, "ca.crt", Host::client);
    if (!copied) return copied;
    lab.add_to_report(lab.dir(Host::broker) / "ca.crt", "certificates/lab/ca.crt");
    lab.add_to_report(lab.dir(Host::broker) / "server.crt", "certificates/lab/server.crt");
    auto config = lab.write_file(Host::broker, "wrong.conf",
                                 tls_config(lab.dir(Host::broker), "ca.crt", "server.crt", "server.key"));
    if (!config) return std::unexpected(config.error());
    return {};
}

// The lab's broker with the lab's certificates: Debian's mosquitto when installed (it starts with them), else
// openssl s_server as a stand-in (it prints the same OpenSSL alert).
Result<std::unique_ptr<BackgroundProcess>> start_lab_broker(LabSession& lab, std::vector<std::string>& argv) {
    if (have_program("mosquitto")) {
        std::string text = tls_config(lab.dir(Host::broker), "ca.crt", "server.crt", "server.key");
        // As root, mosquitto would switch to the mosquitto user, who cannot read root's 0600 keys.
        auto config = lab.write_file(Host::broker, "mosquitto.conf", "user root\n" + text);
        if (!config) return std::unexpected(config.error());
        argv = {"mosquitto", "-c", "mosquitto.conf", "-v"};
        return lab.start_broker(argv, 8883);
    }
    lab.transcript().say(
        "(Debian's mosquitto is not installed: openssl s_server stands in for the lab's broker.)");
    argv = {"openssl", "s_server",   "-accept", "8883",   "-cert",   "server.crt",
            "-key",    "server.key", "-CAfile", "ca.crt", "-Verify", "1"};
    auto server = lab.start(Host::broker, argv);
    if (!server) return server;
    auto ready = (*server)->wait_for(std::regex("ACCEPT"), kReadyTimeout, "openssl s_server to listen");
    if (!ready) return std::unexpected(ready.error());
    return server;
}

}  // namespace

Result<void> step_tls_wrong(LabSession& lab) {
    auto made = make_lab_certificates(lab);
    if (!made) return made;
    lab.transcript().say("culex broker checks its certificates before it opens the listener:");
    auto refused = lab.run(Host::broker, {"culex", "broker", "-c", "wrong.conf", "-v"}, kReadyTimeout);
    if (!refused) return std::unexpected(refused.error());
    if (refused->exit_code == 0 || refused->timed_out)
        return std::unexpected(
            step_failed("culex broker started with the lab's certificates", refused->output));

    lab.transcript().say("Mosquitto starts with them, as in the lab; then the client tries:");
    std::vector<std::string> broker_argv;
    auto broker = start_lab_broker(lab, broker_argv);
    if (!broker) return std::unexpected(broker.error());
    std::vector<std::string> pub = {"mosquitto_pub", "-h", kBrokerHost,      "-p", "8883", "--cafile",
                                    "ca.crt",        "-t", "cheese/strudel", "-m", "hello"};
    bool lab_client = have_program("mosquitto_pub");
    std::string client_output;
    if (lab_client) {
        auto failed = lab.run(Host::client, pub);
        if (!failed) return std::unexpected(failed.error());
        client_output += failed->output;
        lab.transcript().say(
            "The lab gave up with --insecure. It does not help: it only skips the host name check.");
        pub.insert(pub.begin() + 7, "--insecure");
        auto insecure = lab.run(Host::client, pub);
        if (!insecure) return std::unexpected(insecure.error());
        client_output += insecure->output;
    }
    lab.transcript().say("culex pub says what failed instead:");
    auto culex_pub = lab.run(Host::client, {"culex", "pub", "-h", kBrokerHost, "-p", "8883", "--cafile",
                                            "ca.crt", "-t", "cheese/strudel", "-m", "hello"});
    if (!culex_pub) return std::unexpected(culex_pub.error());
    auto alert =
        (*broker)->wait_for(std::regex("unknown ca"), kReadyTimeout, "the broker to log the TLS alert");
    (*broker)->stop(SIGTERM, Milliseconds(5000));
    lab.show(Host::broker, broker_argv, **broker);
    if (!alert) return alert;
    if (culex_pub->exit_code == 0)
        return std::unexpected(
            step_failed("culex pub connected with the lab's certificates", culex_pub->output));
    if (lab_client && !has_line(client_output, "A TLS error occurred"))
        return std::unexpected(step_failed("mosquitto_pub did not fail as in the lab", client_output));
    lab.transcript().finding(
        "the handshake fails with the lab's messages: \"A TLS error occurred\" on the client, \"tlsv1 alert "
        "unknown ca\" on the broker (the client refused the broker's certificate, which carries its CA's "
        "name and "
        "so looks self-signed). culex broker refused to start with these files, naming the fault.");
    return {};
}

Result<void> step_doctor(LabSession& lab) {
    auto made = make_lab_certificates(lab);
    if (!made) return made;
    auto doctor = lab.run(Host::broker, {"culex", "doctor", "config", "-c", "wrong.conf"});
    if (!doctor) return std::unexpected(doctor.error());
    std::vector<std::string> missing;
    for (const char* code : {"subject-equals-issuer", "version-1", "missing-san"}) {
        if (!has_line(doctor->output, fmt::format("FAULT \\[{}\\]", code))) missing.emplace_back(code);
    }
    if (doctor->exit_code == 0 || !missing.empty())
        return std::unexpected(
            step_failed("culex doctor did not name the lab's three faults", doctor->output));
    std::string codes;
    std::regex fault("FAULT \\[([a-z0-9-]+)\\]");
    for (auto it = std::sregex_iterator(doctor->output.begin(), doctor->output.end(), fault);
         it != std::sregex_iterator(); ++it) {
        codes += (codes.empty() ? "" : ", ") + (*it)[1].str();
    }
    lab.transcript().finding(fmt::format(
        "the faults, each with its fix ({}). The lab's three: the broker's certificate has the CA's subject "
        "(subject-equals-issuer), it is X.509 v1 (version-1: plain openssl x509 -req adds no extensions), "
        "and it "
        "names no host (missing-san). culex pki makes none of them: next step.",
        codes));
    return {};
}

Result<void> step_tls_right(LabSession& lab) {
    lab.transcript().say(
        "On the broker, a CA, the broker's certificate for its address, and one for the student:");
    const std::vector<std::vector<std::string>> commands = {
        {"culex", "pki", "--dir", "pki", "init"},
        {"culex", "pki", "--dir", "pki", "server", "--name", "broker", "--ip", kBrokerHost},
        {"culex", "pki", "--dir", "pki", "client", "--name", "student"},
    };
    for (const auto& argv : commands) {
        auto made = lab.run_ok(Host::broker, argv);
        if (!made) return std::unexpected(made.error());
    }
    for (const char* name : {"pki/ca.crt", "pki/student.crt", "pki/student.key"}) {
        auto copied = lab.copy(Host::broker, name, Host::client);
        if (!copied) return copied;
    }
    for (const char* name : {"ca.crt", "broker.crt", "student.crt"})
        lab.add_to_report(lab.dir(Host::broker) / "pki" / name,
                          fmt::format("certificates/culex-pki/{}", name));
    auto config =
        lab.write_file(Host::broker, "tls.conf",
                       tls_config(lab.dir(Host::broker), "pki/ca.crt", "pki/broker.crt", "pki/broker.key"));
    if (!config) return std::unexpected(config.error());
    auto doctor = lab.run_ok(Host::broker, {"culex", "doctor", "config", "-c", "tls.conf"});
    if (!doctor) return std::unexpected(doctor.error());

    std::vector<std::string> broker_argv = {"culex", "broker", "-c", "tls.conf", "-v"};
    auto broker = lab.start_broker(broker_argv, 8883);
    if (!broker) return std::unexpected(broker.error());
    const std::string pcap = "tls.pcap";
    std::vector<std::string> sniff_argv = {"culex", "sniff", "-i", std::string(kInterface), "-w", pcap};
    auto sniff = lab.start_sniff(pcap);
    if (!sniff) return std::unexpected(sniff.error());
    std::vector<std::string> tls_flags = {"-h",     kBrokerHost,   "--cafile", "ca.crt",
                                          "--cert", "student.crt", "--key",    "student.key"};
    std::vector<std::string> sub_argv = {"culex", "sub"};
    sub_argv.insert(sub_argv.end(), tls_flags.begin(), tls_flags.end());
    sub_argv.insert(sub_argv.end(), {"-t", "#", "-v", "-C", "1", "-W", "10"});
    auto sub = lab.start(Host::client, sub_argv);
    if (!sub) return std::unexpected(sub.error());
    auto subscribed = (*broker)->wait_for(std::regex("Sending SUBACK to culexsub"), kReadyTimeout,
                                          "the broker to accept the TLS subscription");
    if (!subscribed) {
        lab.show(Host::client, sub_argv, **sub);
        return subscribed;
    }
    std::vector<std::string> pub_argv = {"culex", "pub"};
    pub_argv.insert(pub_argv.end(), tls_flags.begin(), tls_flags.end());
    pub_argv.insert(pub_argv.end(), {"-t", "cheese/strudel", "-m", "apple and cinnamon"});
    auto pub = lab.run_ok(Host::client, pub_argv);
    if (!pub) return std::unexpected(pub.error());
    auto ended = (*sub)->wait_exit(kReadyTimeout, "culex sub");
    lab.show(Host::client, sub_argv, **sub);
    if (!ended) return std::unexpected(ended.error());
    auto captured = (*sniff)->wait_for(std::regex("VERDICT"), kReadyTimeout,
                                       "culex sniff to see both connections close", 2);
    (*sniff)->stop(SIGINT, Milliseconds(5000));
    lab.show(Host::broker, sniff_argv, **sniff);
    (*broker)->stop(SIGTERM, Milliseconds(5000));
    lab.show(Host::broker, broker_argv, **broker);
    if (!captured) return captured;
    lab.add_to_report(lab.dir(Host::broker) / pcap, "captures/" + pcap);
    auto topics =
        lab.run_ok(Host::broker, {"culex", "sniff", "-r", pcap, "-T", "fields", "-e", "mqtt.topic"});
    if (!topics) return std::unexpected(topics.error());

    const std::string& seen = (*sniff)->output();
    if (!has_line((*sub)->output(), "cheese/strudel apple and cinnamon"))
        return std::unexpected(step_failed("the TLS subscriber did not get the message", (*sub)->output()));
    if (!has_line(seen, "VERDICT encrypted") || has_line(seen, "VERDICT readable") ||
        seen.find("cheese/strudel") != std::string::npos)
        return std::unexpected(step_failed("the TLS capture is not all encrypted", seen));
    lab.transcript().finding(
        "mutual TLS works: the broker accepted the student's certificate and the message went through. The "
        "capture "
        "shows the TLS handshake (version, cipher suite) and encrypted records only: the topic and the "
        "payload are "
        "not in it, and sniff -r finds no MQTT topic at all. Verdict: encrypted.");
    return {};
}

}  // namespace culex::lab
