#include "broker/sys_tree.hpp"

#include <fmt/format.h>

#include <cmath>

namespace culex::broker {

namespace {

constexpr std::array<double, 3> kLoadMinutes{1, 5, 15};
constexpr std::array<std::string_view, 3> kLoadNames{"1min", "5min", "15min"};

std::string number(std::uint64_t n) {
    return fmt::format("{}", n);
}

}  // namespace

void SysTree::put(std::vector<SysValue>& out, const std::string& name, std::string value) {
    auto [it, added] = published_.try_emplace(name);
    if (!added && it->second == value) return;
    it->second = value;
    out.push_back({"$SYS/broker/" + name, std::move(value)});
}

void SysTree::update_load(std::vector<SysValue>& out, const std::string& name, std::uint64_t count,
                          double interval_seconds) {
    Load& load = loads_[name];
    if (!first_ && interval_seconds > 0) {
        // This interval's rate, per minute, pulls each average towards it by how much of the average's
        // window the interval covers.
        double per_minute = static_cast<double>(count - load.last_count) * 60.0 / interval_seconds;
        for (std::size_t i = 0; i < 3; ++i) {
            double keep = std::exp(-interval_seconds / (60.0 * kLoadMinutes[i]));
            load.average[i] = per_minute + keep * (load.average[i] - per_minute);
        }
    }
    load.last_count = count;
    for (std::size_t i = 0; i < 3; ++i)
        put(out, fmt::format("load/{}/{}", name, kLoadNames[i]), fmt::format("{:.2f}", load.average[i]));
}

std::vector<SysValue> SysTree::update(const Statistics& s, double interval_seconds) {
    std::vector<SysValue> out;
    const TrafficFigures& t = s.total;
    put(out, "version", version_);
    put(out, "uptime", fmt::format("{} seconds", s.uptime.count()));

    put(out, "clients/total", number(s.sessions));
    put(out, "clients/connected", number(t.connected));
    put(out, "clients/active", number(t.connected));  // Mosquitto's older name, still published
    put(out, "clients/disconnected", number(s.disconnected_sessions()));
    put(out, "clients/inactive", number(s.disconnected_sessions()));
    put(out, "clients/maximum", number(s.max_connected));
    put(out, "clients/expired", number(s.sessions_expired));

    update_load(out, "messages/received", t.packets_received, interval_seconds);
    update_load(out, "messages/sent", t.packets_sent, interval_seconds);
    update_load(out, "publish/dropped", s.dropped(), interval_seconds);
    update_load(out, "publish/received", t.publishes_received(), interval_seconds);
    update_load(out, "publish/sent", t.publishes_sent(), interval_seconds);
    update_load(out, "bytes/received", t.bytes_received, interval_seconds);
    update_load(out, "bytes/sent", t.bytes_sent, interval_seconds);
    update_load(out, "sockets", t.sockets, interval_seconds);
    update_load(out, "connections", t.connects, interval_seconds);

    std::uint64_t stored = s.retained + s.queued_messages + s.inflight_messages;
    put(out, "messages/stored", number(stored));
    put(out, "messages/received", number(t.packets_received));
    put(out, "messages/sent", number(t.packets_sent));
    put(out, "store/messages/count", number(stored));
    put(out, "store/messages/bytes", number(s.retained_bytes + s.queued_bytes));
    put(out, "subscriptions/count", number(s.subscriptions));
    put(out, "retained messages/count", number(s.retained));
    put(out, "heap/current", number(s.heap_current));
    put(out, "heap/maximum", number(s.heap_maximum));
    put(out, "publish/messages/dropped", number(s.dropped()));
    put(out, "publish/messages/received", number(t.publishes_received()));
    put(out, "publish/messages/sent", number(t.publishes_sent()));
    put(out, "publish/bytes/received", number(t.publish_bytes_received));
    put(out, "publish/bytes/sent", number(t.publish_bytes_sent));
    put(out, "bytes/received", number(t.bytes_received));
    put(out, "bytes/sent", number(t.bytes_sent));
    first_ = false;
    return out;
}

}  // namespace culex::broker
