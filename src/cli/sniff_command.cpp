// `culex sniff`: MQTT on the wire, and proof that TLS hides it. Flags follow tshark's where they overlap
// (-i, -r, -w, -f, -c, -T fields, -e, -E separator=).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "sniff/sniffer.hpp"

namespace culex::cli {

namespace {

struct SniffFlags {
    sniff::SniffOptions options;
    std::string ports;
    std::string format;
    std::vector<std::string> fields;
    std::vector<std::string> format_options;
    bool json = false;
    std::size_t max_payload = 256;
};

int run(SniffFlags& flags) {
    auto& options = flags.options;
    auto fail = [](const std::string& message) {
        std::fprintf(stderr, "culex sniff: %s\n", message.c_str());
        return 1;
    };
    if (!flags.ports.empty()) {
        auto ports = sniff::parse_ports(flags.ports);
        if (!ports) return fail(ports.error().message);
        options.ports = *ports;
    }
    if (flags.json || flags.format == "json") {
        options.output.format = sniff::OutputFormat::json;
    } else if (flags.format == "fields" || (flags.format.empty() && !flags.fields.empty())) {
        options.output.format = sniff::OutputFormat::fields;
        if (flags.fields.empty())
            return fail("-T fields needs at least one -e FIELD (e.g. -e topic -e payload)");
    } else if (!flags.format.empty() && flags.format != "text") {
        return fail("-T takes text, fields or json");
    }
    for (const auto& name : flags.fields) {
        auto field = sniff::parse_field(name);
        if (!field) return fail(field.error().message);
        options.output.fields.push_back(*field);
    }
    for (const auto& option : flags.format_options) {
        if (!option.starts_with("separator=")) return fail("-E takes separator=CHAR (e.g. -E separator=,)");
        std::string separator = option.substr(10);
        if (separator == "/t") separator = "\t";
        if (separator == "/s") separator = " ";
        options.output.separator = separator;
    }
    options.output.describe.max_payload = flags.max_payload;
    if (!options.interface.empty() && !options.read_file.empty()) return fail("give -i or -r, not both");
    auto summary = sniff::run_sniff(options);
    if (!summary) return fail(summary.error().message);
    return 0;
}

}  // namespace

void add_sniff_command(CLI::App& app, int& exit_code) {
    auto flags = std::make_shared<SniffFlags>();
    auto* cmd =
        app.add_subcommand("sniff", "show the MQTT that crosses the wire, and prove that TLS hides it");
    auto& o = flags->options;
    cmd->add_option("-i,--interface", o.interface,
                    "Capture live on this interface (e.g. lo, eth0; needs root "
                    "or CAP_NET_RAW)");
    cmd->add_option("-r,--read", o.read_file, "Read a pcap or pcapng file (tcpdump -w, tshark -w)");
    cmd->add_option("-w,--write", o.write_file, "Also save the captured frames to this pcap file");
    cmd->add_option("--port", flags->ports, "Broker ports, comma-separated (default 1883,8883,8080,8081)");
    cmd->add_flag("--any-port", o.any_port, "Every TCP connection, whatever its port");
    cmd->add_option("-f,--filter", o.filter, "More capture filter (BPF, as tcpdump), and-ed with the ports");
    cmd->add_option("-c,--count", o.count, "Stop after this many frames");
    cmd->add_option("-T", flags->format, "Output: text (default), fields (with -e) or json");
    cmd->add_option("-e", flags->fields, "A field for -T fields: " + sniff::field_names());
    cmd->add_option("-E", flags->format_options, "Fields output option: separator=CHAR (/t tab, /s space)");
    cmd->add_flag("--json", flags->json,
                  "One JSON object per line: packets, TLS records, findings, verdicts");
    cmd->add_flag("--show-secrets", o.output.describe.show_secrets, "Show passwords instead of masking them");
    cmd->add_flag("-q,--quiet", o.output.quiet,
                  "No line per packet: only findings, verdicts and the summary");
    cmd->add_option("--max-payload", flags->max_payload, "Bytes of payload shown per text line (0: all)")
        ->capture_default_str();
    cmd->callback([flags, &exit_code] { exit_code = run(*flags); });
}

}  // namespace culex::cli
