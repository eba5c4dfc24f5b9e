#include "sniff/pcap_handles.hpp"

#include <fmt/format.h>

namespace culex::sniff {

namespace {
constexpr int kSnapLength = 262'144;  // whole frames, as tcpdump's default
}

std::expected<PcapHandle, Error> open_capture_file(const std::string& path) {
    char message[PCAP_ERRBUF_SIZE] = {};
    PcapHandle handle(pcap_open_offline(path.c_str(), message));
    if (!handle) {
        return std::unexpected(Error{
            fmt::format("cannot read capture file '{}': {} (give a pcap or pcapng file, e.g. one written by "
                        "tcpdump -w, tshark -w or culex sniff -w)",
                        path, message)});
    }
    return handle;
}

std::expected<PcapHandle, Error> open_live_capture(const std::string& interface, int timeout_ms) {
    char message[PCAP_ERRBUF_SIZE] = {};
    PcapHandle handle(pcap_create(interface.c_str(), message));
    if (!handle) {
        return std::unexpected(Error{fmt::format("cannot capture on '{}': {}", interface, message)});
    }
    pcap_set_snaplen(handle.get(), kSnapLength);
    pcap_set_promisc(handle.get(), 0);
    pcap_set_timeout(handle.get(), timeout_ms);
    pcap_set_immediate_mode(handle.get(), 1);  // a line per packet as it happens, not per kernel buffer
    int status = pcap_activate(handle.get());
    if (status == PCAP_ERROR_PERM_DENIED || status == PCAP_ERROR_PROMISC_PERM_DENIED) {
        return std::unexpected(
            Error{fmt::format("no permission to capture on '{}': live capture needs root or the CAP_NET_RAW "
                              "capability (run as root, "
                              "or grant it once: sudo setcap cap_net_raw,cap_net_admin=eip $(command -v "
                              "culex)); reading a file "
                              "with -r needs neither",
                              interface)});
    }
    if (status == PCAP_ERROR_NO_SUCH_DEVICE) {
        return std::unexpected(Error{
            fmt::format("no interface named '{}' (list them with `ip link`; loopback is 'lo')", interface)});
    }
    if (status < 0) {
        return std::unexpected(
            Error{fmt::format("cannot capture on '{}': {}", interface, pcap_geterr(handle.get()))});
    }
    return handle;
}

std::expected<void, Error> apply_filter(pcap_t* handle, const std::string& expression) {
    if (expression.empty()) return {};
    bpf_program program{};
    if (pcap_compile(handle, &program, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
        return std::unexpected(
            Error{fmt::format("bad capture filter '{}': {} (the syntax is tcpdump's, see "
                              "pcap-filter(7))",
                              expression, pcap_geterr(handle))});
    }
    int status = pcap_setfilter(handle, &program);
    pcap_freecode(&program);
    if (status != 0) {
        return std::unexpected(
            Error{fmt::format("cannot apply capture filter '{}': {}", expression, pcap_geterr(handle))});
    }
    return {};
}

std::expected<PcapDumper, Error> PcapDumper::open(pcap_t* handle, const std::string& path) {
    PcapDumperHandle dumper(pcap_dump_open(handle, path.c_str()));
    if (!dumper) {
        return std::unexpected(
            Error{fmt::format("cannot write capture file '{}': {} (check the directory exists "
                              "and is writable)",
                              path, pcap_geterr(handle))});
    }
    return PcapDumper(std::move(dumper));
}

std::expected<PcapFileWriter, Error> PcapFileWriter::create(const std::string& path, int link_type) {
    PcapHandle dead(pcap_open_dead(link_type, kSnapLength));
    if (!dead) return std::unexpected(Error{"cannot create a pcap handle (out of memory?)"});
    auto dumper = PcapDumper::open(dead.get(), path);
    if (!dumper) return std::unexpected(dumper.error());
    return PcapFileWriter(std::move(dead), std::move(*dumper));
}

void PcapFileWriter::write(std::int64_t time_us, std::string_view frame) {
    pcap_pkthdr header{};
    header.ts.tv_sec = static_cast<time_t>(time_us / 1'000'000);
    header.ts.tv_usec = static_cast<suseconds_t>(time_us % 1'000'000);
    header.caplen = static_cast<bpf_u_int32>(frame.size());
    header.len = header.caplen;
    dumper_.write(header, reinterpret_cast<const std::uint8_t*>(frame.data()));
}

}  // namespace culex::sniff
