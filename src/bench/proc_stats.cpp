#include "bench/proc_stats.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace culex::bench {

namespace {

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::optional<std::uint64_t> to_number(std::string_view text) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end == text.data()) return std::nullopt;
    return value;
}

}  // namespace

std::optional<double> parse_stat_cpu_seconds(std::string_view stat, long ticks_per_second) {
    // The command name (field 2) is in parentheses and may hold spaces and ')': fields count from the last
    // ')'.
    auto close = stat.rfind(')');
    if (close == std::string_view::npos || ticks_per_second <= 0) return std::nullopt;
    std::string_view rest = stat.substr(close + 1);
    std::uint64_t utime = 0, stime = 0;
    int field = 2;
    std::size_t at = 0;
    while (at < rest.size()) {
        while (at < rest.size() && rest[at] == ' ')
            ++at;
        std::size_t end = rest.find(' ', at);
        if (end == std::string_view::npos) end = rest.size();
        if (end == at) break;
        ++field;
        std::string_view token = rest.substr(at, end - at);
        if (field == 14 || field == 15) {
            auto value = to_number(token);
            if (!value) return std::nullopt;
            (field == 14 ? utime : stime) = *value;
        }
        if (field == 15) return static_cast<double>(utime + stime) / static_cast<double>(ticks_per_second);
        at = end;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> parse_status_rss_bytes(std::string_view status) {
    constexpr std::string_view kKey = "VmRSS:";
    std::size_t at = status.find(kKey);
    if (at == std::string_view::npos) return std::nullopt;
    at += kKey.size();
    while (at < status.size() && (status[at] == ' ' || status[at] == '\t'))
        ++at;
    std::size_t end = at;
    while (end < status.size() && status[end] >= '0' && status[end] <= '9')
        ++end;
    auto kib = to_number(status.substr(at, end - at));
    if (!kib) return std::nullopt;
    return *kib * 1024;  // the kernel writes "kB" and means KiB
}

std::expected<ProcessSample, Error> sample_process(int pid) {
    auto stat = read_file(fmt::format("/proc/{}/stat", pid));
    auto status = read_file(fmt::format("/proc/{}/status", pid));
    if (!stat || !status)
        return std::unexpected(Error{fmt::format(
            "cannot read /proc/{}/stat: no such process (is --broker-pid the broker's process id? "
            "pgrep -n mosquitto finds one)",
            pid)});
    auto cpu = parse_stat_cpu_seconds(*stat, sysconf(_SC_CLK_TCK));
    auto rss = parse_status_rss_bytes(*status);
    if (!cpu || !rss) return std::unexpected(Error{fmt::format("cannot parse /proc/{}/stat or status", pid)});
    return ProcessSample{*cpu, *rss};
}

double own_cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& tv) {
        return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace culex::bench
