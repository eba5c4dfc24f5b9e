// The steps on plain MQTT (port 1883): two hosts, publish/subscribe, the capture, login and password.
#include <algorithm>
#include <csignal>

#include <fmt/format.h>

#include "lab/lab_steps.hpp"
#include "lab/tcp_segments.hpp"

namespace culex::lab {

namespace {

const std::string kBrokerHost(kBrokerAddress);

const std::vector<std::string> kBrokerCommand = {"culex", "broker", "-c", "lab.conf", "-v"};

Result<std::unique_ptr<BackgroundProcess>> start_plain_broker(LabSession& lab) {
    auto config = lab.write_file(Host::broker, "lab.conf", "listener 1883\nallow_anonymous true\n");
    if (!config) return std::unexpected(config.error());
    return lab.start_broker(kBrokerCommand, 1883);
}

// Stops a capture once it has seen `connections` connections close (a VERDICT each), and shows it.
Result<void> finish_capture(LabSession& lab, BackgroundProcess& sniff, const std::vector<std::string>& argv,
                            int connections) {
    auto closed = sniff.wait_for(std::regex("VERDICT"), kReadyTimeout,
                                 "culex sniff to see the connections close", connections);
    sniff.stop(SIGINT, Milliseconds(5000));  // Ctrl-C: sniff prints its summary
    lab.show(Host::broker, argv, sniff);
    return closed;
}

// The segments of a capture, shown as the lab's tshark listed them.
Result<std::vector<TcpSegment>> show_segments(LabSession& lab, const std::string& pcap) {
    auto segments = read_tcp_segments((lab.dir(Host::broker) / pcap).string());
    if (!segments) return segments;
    std::string table;
    for (const auto& segment : *segments)
        table += format_segment(segment) + "\n";
    lab.transcript().say(
        fmt::format("The TCP segments in {} (what `tshark -r {}` lists first):", pcap, pcap));
    lab.transcript().command("broker", fmt::format("culex lab: TCP segments of {}", pcap), table);
    return segments;
}

}  // namespace

Result<void> step_network(LabSession& lab) {
    for (Host host : {Host::broker, Host::client}) {
        auto shown = lab.run_ok(host, {"ip", "-brief", "address", "show"});
        if (!shown) return std::unexpected(shown.error());
    }
    auto route = lab.run_ok(Host::client, {"ip", "route", "show"});
    if (!route) return std::unexpected(route.error());
    lab.transcript().finding(
        "each host has its loopback and enp0s3, and a single route: 192.168.56.0/24 on enp0s3. There is no "
        "default route, so nothing the lab sends can reach another network.");
    return {};
}

Result<void> step_pubsub(LabSession& lab) {
    auto broker = start_plain_broker(lab);
    if (!broker) return std::unexpected(broker.error());
    std::vector<std::string> sub_argv = {"culex", "sub", "-h", kBrokerHost, "-t", "#",
                                         "-v",    "-C",  "1",  "-W",        "10"};
    lab.transcript().say(
        "On the client, a subscriber to every topic (-C 1 -W 10: it leaves after one message, or after 10 s, "
        "so "
        "that the lab can go on), then a publisher:");
    auto sub = lab.start(Host::client, sub_argv);
    if (!sub) return std::unexpected(sub.error());
    auto subscribed = (*broker)->wait_for(std::regex("Sending SUBACK to culexsub"), kReadyTimeout,
                                          "the broker to accept the subscription");
    if (!subscribed) return subscribed;
    auto pub = lab.run_ok(Host::client, {"culex", "pub", "-h", kBrokerHost, "-m", "hello", "-t", "world"});
    if (!pub) return std::unexpected(pub.error());
    auto ended = (*sub)->wait_exit(kReadyTimeout, "culex sub");
    lab.show(Host::client, sub_argv, **sub);
    if (!ended) return std::unexpected(ended.error());
    auto disconnected = (*broker)->wait_for(std::regex("Client culexsub\\S* disconnected\\."), kReadyTimeout,
                                            "the subscriber's disconnection in the broker's log");
    (*broker)->stop(SIGTERM, Milliseconds(5000));
    lab.transcript().say("The broker's log, from its start to here:");
    lab.show(Host::broker, kBrokerCommand, **broker);
    if (!disconnected) return disconnected;
    if (!has_line((*sub)->output(), "world hello"))
        return std::unexpected(step_failed("the subscriber did not print \"world hello\"", (*sub)->output()));
    lab.transcript().finding(
        "the subscriber printed \"world hello\" (topic, then payload: -v), and the broker logged both "
        "clients "
        "by their address, 192.168.56.102: \"New connection from 192.168.56.102:PORT on port 1883.\"");
    return {};
}

Result<void> step_sniff(LabSession& lab) {
    auto broker = start_plain_broker(lab);
    if (!broker) return std::unexpected(broker.error());
    const std::string pcap = "plain.pcap";
    lab.transcript().say(
        "On the broker, a capture of its interface, saved to plain.pcap (-w) for Wireshark; then, on the "
        "client, "
        "one message:");
    std::vector<std::string> sniff_argv = {"culex", "sniff", "-i", std::string(kInterface), "-w", pcap};
    auto sniff = lab.start_sniff(pcap);
    if (!sniff) return std::unexpected(sniff.error());
    auto pub = lab.run_ok(Host::client, {"culex", "pub", "-h", kBrokerHost, "-t", "cheese/strudel", "-m",
                                         "apple and cinnamon"});
    if (!pub) return std::unexpected(pub.error());
    auto captured = finish_capture(lab, **sniff, sniff_argv, 1);
    (*broker)->stop(SIGTERM, Milliseconds(5000));
    if (!captured) return captured;
    lab.add_to_report(lab.dir(Host::broker) / pcap, "captures/" + pcap);

    auto segments = show_segments(lab, pcap);
    if (!segments) return std::unexpected(segments.error());
    auto topics =
        lab.run_ok(Host::broker, {"culex", "sniff", "-r", pcap, "-T", "fields", "-e", "mqtt.topic"});
    if (!topics) return std::unexpected(topics.error());

    const std::string& seen = (*sniff)->output();
    bool readable = has_line(seen, "VERDICT readable");
    bool handshake = segments->size() >= 3 && (*segments)[0].flags == 0x02 && (*segments)[1].flags == 0x12;
    bool fin =
        std::any_of(segments->begin(), segments->end(), [](const TcpSegment& s) { return s.flags & 0x01; });
    if (!readable || !handshake || !fin || !has_line(seen, "PUBLISH 'cheese/strudel'"))
        return std::unexpected(
            step_failed("the capture does not show the handshake, the PUBLISH and the FIN", seen));
    lab.transcript().finding(
        "not confidential. The SYN, SYN-ACK and ACK open the connection, the CONNECT names the client, the "
        "PUBLISH carries the topic cheese/strudel and the payload in clear, and the FIN closes it. culex "
        "sniff's "
        "verdict: readable.");
    return {};
}

Result<void> step_login(LabSession& lab) {
    auto made = lab.run_ok(Host::broker, {"culex", "passwd", "-c", "-b", "passwd", "student", "secret"});
    if (!made) return std::unexpected(made.error());
    auto path = lab.dir(Host::broker) / "passwd";
    auto config = lab.write_file(
        Host::broker, "login.conf",
        fmt::format("listener 1883\nallow_anonymous false\npassword_file {}\n", path.string()));
    if (!config) return std::unexpected(config.error());
    std::vector<std::string> broker_argv = {"culex", "broker", "-c", "login.conf", "-v"};
    auto broker = lab.start_broker(broker_argv, 1883);
    if (!broker) return std::unexpected(broker.error());
    const std::string pcap = "login.pcap";
    std::vector<std::string> sniff_argv = {"culex", "sniff", "-i", std::string(kInterface), "-w", pcap};
    auto sniff = lab.start_sniff(pcap);
    if (!sniff) return std::unexpected(sniff.error());
    lab.transcript().say("Without a password the broker says no; with one, yes:");
    auto refused =
        lab.run(Host::client, {"culex", "pub", "-h", kBrokerHost, "-t", "cheese/strudel", "-m", "hello"});
    if (!refused) return std::unexpected(refused.error());
    auto pub = lab.run_ok(Host::client, {"culex", "pub", "-h", kBrokerHost, "-t", "cheese/strudel", "-m",
                                         "hello", "-u", "student", "-P", "secret"});
    if (!pub) return std::unexpected(pub.error());
    auto captured = finish_capture(lab, **sniff, sniff_argv, 2);
    (*broker)->stop(SIGTERM, Milliseconds(5000));
    lab.show(Host::broker, broker_argv, **broker);
    if (!captured) return captured;
    lab.add_to_report(lab.dir(Host::broker) / pcap, "captures/" + pcap);
    if (refused->exit_code == 0)
        return std::unexpected(
            step_failed("the broker accepted a client without a password", refused->output));
    if (!has_line((*sniff)->output(), "FINDING credentials in clear"))
        return std::unexpected(step_failed("culex sniff did not see the credentials", (*sniff)->output()));
    lab.transcript().finding(
        "the password keeps out whoever does not know it, but it crossed the cable in the CONNECT packet, in "
        "clear: "
        "culex sniff read the user name and the password (it masks the password unless --show-secrets). On a "
        "plain listener, anyone who captures one connection can log in afterwards. Use the password over "
        "TLS.");
    return {};
}

}  // namespace culex::lab
