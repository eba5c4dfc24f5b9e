#include "sniff/sniffer.hpp"

#include <fmt/format.h>

#include <atomic>
#include <charconv>
#include <csignal>
#include <optional>

#include "sniff/link_layer.hpp"
#include "sniff/pcap_handles.hpp"
#include "sniff/reassembler.hpp"

namespace culex::sniff {

namespace {

std::atomic<pcap_t*> g_capture{nullptr};
volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_stop_signal(int) {
    g_stop = 1;
    if (pcap_t* capture = g_capture.load()) pcap_breakloop(capture);
}

// SIGINT/SIGTERM end a live capture cleanly; the previous handlers come back when the capture ends.
class StopSignals {
  public:
    explicit StopSignals(pcap_t* capture) {
        g_stop = 0;
        g_capture = capture;
        struct sigaction action {};
        action.sa_handler = on_stop_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = 0;  // no SA_RESTART: the blocking read returns and the loop sees the flag
        sigaction(SIGINT, &action, &old_int_);
        sigaction(SIGTERM, &action, &old_term_);
    }
    ~StopSignals() {
        sigaction(SIGINT, &old_int_, nullptr);
        sigaction(SIGTERM, &old_term_, nullptr);
        g_capture = nullptr;
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

  private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
};

struct Loop {
    pcap_t* capture;
    int link_type;
    Reassembler& reassembler;
    PcapDumper* dumper;
    std::uint64_t limit;
    std::uint64_t frames = 0;
    Micros last{0};
};

extern "C" void on_frame(u_char* user, const pcap_pkthdr* header, const u_char* data) {
    auto& loop = *reinterpret_cast<Loop*>(user);
    if (loop.dumper) loop.dumper->write(*header, data);
    loop.last = Micros(std::int64_t{header->ts.tv_sec} * 1'000'000 + header->ts.tv_usec);
    loop.reassembler.feed(loop.link_type,
                          std::string_view(reinterpret_cast<const char*>(data), header->caplen), loop.last);
    if (loop.limit && ++loop.frames >= loop.limit) pcap_breakloop(loop.capture);
}

Micros now() {
    return std::chrono::duration_cast<Micros>(std::chrono::system_clock::now().time_since_epoch());
}

}  // namespace

std::expected<std::vector<std::uint16_t>, Error> parse_ports(const std::string& list) {
    std::vector<std::uint16_t> ports;
    std::string_view rest = list;
    while (!rest.empty()) {
        auto comma = rest.find(',');
        auto item = rest.substr(0, comma);
        unsigned value = 0;
        auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
        if (ec != std::errc() || end != item.data() + item.size() || value == 0 || value > 65535) {
            return std::unexpected(
                Error{fmt::format("bad port '{}' in '{}' (give TCP ports separated by commas, "
                                  "e.g. --port 1883,8883)",
                                  item, list)});
        }
        ports.push_back(static_cast<std::uint16_t>(value));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    if (ports.empty()) return std::unexpected(Error{"no ports given (e.g. --port 1883,8883, or --any-port)"});
    return ports;
}

std::string capture_filter(const SniffOptions& options) {
    std::string filter = "tcp";
    if (!options.any_port && !options.ports.empty()) {
        std::string ports;
        for (auto port : options.ports)
            ports += fmt::format("{}port {}", ports.empty() ? "" : " or ", port);
        filter += " and (" + ports + ")";
    }
    if (!options.filter.empty()) filter = "(" + filter + ") and (" + options.filter + ")";
    return filter;
}

std::expected<Summary, Error> run_sniff(const SniffOptions& options, int out_fd, int err_fd) {
    bool live = options.read_file.empty();
    if (live && options.interface.empty()) {
        return std::unexpected(
            Error{"nothing to read: give -i INTERFACE to capture live (e.g. -i lo) or "
                  "-r FILE to read a capture"});
    }
    auto capture = live ? open_live_capture(options.interface) : open_capture_file(options.read_file);
    if (!capture) return std::unexpected(capture.error());
    int link_type = pcap_datalink(capture->get());
    if (!is_supported_link_type(link_type)) {
        const char* name = pcap_datalink_val_to_name(link_type);
        return std::unexpected(
            Error{fmt::format("link type {} ({}) is not supported: capture on an Ethernet, "
                              "loopback or 'any' interface",
                              link_type, name ? name : "unknown")});
    }
    auto filter = capture_filter(options);
    if (auto applied = apply_filter(capture->get(), filter); !applied)
        return std::unexpected(applied.error());
    std::optional<PcapDumper> dumper;
    if (!options.write_file.empty()) {
        auto opened = PcapDumper::open(capture->get(), options.write_file);
        if (!opened) return std::unexpected(opened.error());
        dumper.emplace(std::move(*opened));
    }

    // Live: a line per packet as it happens. A file: large writes, the whole output is there at once anyway.
    LineWriter out(out_fd, live);
    LineWriter err(err_fd, true);
    auto sink = make_output(options.output, out, err);
    AnalyzerOptions analyzer_options = options.analyzer;
    analyzer_options.show_secrets = options.output.describe.show_secrets;
    Analyzer analyzer(*sink, analyzer_options);
    Reassembler reassembler(analyzer, options.any_port ? std::vector<std::uint16_t>{} : options.ports);
    Loop loop{capture->get(), link_type, reassembler, dumper ? &*dumper : nullptr, options.count};

    if (live) {
        err.line(fmt::format("Capturing on '{}' (filter: {}); Ctrl-C stops and prints the summary",
                             options.interface, filter));
    }
    std::optional<Error> failure;
    {
        StopSignals signals(capture->get());
        while (!g_stop) {
            int n = pcap_dispatch(capture->get(), -1, on_frame, reinterpret_cast<u_char*>(&loop));
            if (n == PCAP_ERROR_BREAK) break;  // a stop signal, or the frame count was reached
            if (n == PCAP_ERROR) {
                failure = Error{fmt::format("capture failed: {}", pcap_geterr(capture->get()))};
                break;
            }
            if (!live && n == 0) break;  // end of file
            if (dumper && live) dumper->flush();
        }
    }
    bool interrupted = g_stop != 0;
    reassembler.finish(live ? now() : loop.last);
    Summary& summary = analyzer.summary();
    summary.frames = reassembler.stats().frames;
    summary.tcp_segments = reassembler.stats().tcp_segments;
    summary.interrupted = interrupted;
    sink->summary(summary);
    if (dumper) dumper->flush();
    if (failure) return std::unexpected(*failure);
    return summary;
}

}  // namespace culex::sniff
