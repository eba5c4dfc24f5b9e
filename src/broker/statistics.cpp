#include "broker/statistics.hpp"

#include "broker/broker.hpp"
#include "broker/loop_broker.hpp"
#include "broker/memory_guard.hpp"

namespace culex::broker {

namespace {

TrafficFigures figures_of(const ListenerCounters& c) {
    TrafficFigures f;
    std::uint64_t connects = c.connects.get();
    std::uint64_t disconnects = c.disconnects.get();
    f.connected = connects > disconnects ? connects - disconnects : 0;
    f.connects = connects;
    f.sockets = c.sockets.get();
    f.packets_received = c.packets_received.get();
    f.packets_sent = c.packets_sent.get();
    f.bytes_received = c.bytes_received.get();
    f.bytes_sent = c.bytes_sent.get();
    for (std::size_t q = 0; q < 3; ++q) {
        f.publish_received[q] = c.publish_received[q].get();
        f.publish_sent[q] = c.publish_sent[q].get();
    }
    f.publish_bytes_received = c.publish_bytes_received.get();
    f.publish_bytes_sent = c.publish_bytes_sent.get();
    return f;
}

}  // namespace

TrafficFigures& TrafficFigures::operator+=(const TrafficFigures& o) {
    connected += o.connected;
    connects += o.connects;
    sockets += o.sockets;
    packets_received += o.packets_received;
    packets_sent += o.packets_sent;
    bytes_received += o.bytes_received;
    bytes_sent += o.bytes_sent;
    for (std::size_t q = 0; q < 3; ++q) {
        publish_received[q] += o.publish_received[q];
        publish_sent[q] += o.publish_sent[q];
    }
    publish_bytes_received += o.publish_bytes_received;
    publish_bytes_sent += o.publish_bytes_sent;
    return *this;
}

std::uint64_t Statistics::dropped() const {
    std::uint64_t sum = 0;
    for (auto n : drops)
        sum += n;
    return sum;
}

void raise_to(std::atomic<std::uint64_t>& maximum, std::uint64_t value) {
    std::uint64_t seen = maximum.load(std::memory_order_relaxed);
    while (seen < value && !maximum.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
    }
}

StatisticsReader::StatisticsReader(Broker& broker) : broker_(broker) {}

Statistics StatisticsReader::read() {
    Statistics s;
    s.uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_);
    for (int loop = 0; loop < broker_.loop_count(); ++loop) {
        LoopCounters& counters = broker_.loop(loop).counters();
        if (s.by_listener.size() < counters.by_listener.size())
            s.by_listener.resize(counters.by_listener.size());
        for (std::size_t i = 0; i < counters.by_listener.size(); ++i)
            s.by_listener[i] += figures_of(counters.by_listener[i]);
        for (std::size_t cause = 0; cause < kDropCauses; ++cause)
            s.drops[cause] += counters.drops[cause].get();
        s.sessions_expired += counters.sessions_expired.get();
        s.queued_messages += counters.queued_messages.get();
        s.queued_bytes += counters.queued_bytes.get();
        s.inflight_messages += counters.inflight_messages.get();
    }
    for (const auto& listener : s.by_listener)
        s.total += listener;
    s.sessions = broker_.sessions().size();
    s.subscriptions = broker_.subscriptions().size();
    s.retained = broker_.retained().size();
    s.retained_bytes = broker_.retained().payload_bytes();
    raise_to(max_connected_, s.total.connected);
    s.max_connected = max_connected_.load(std::memory_order_relaxed);
    s.heap_current = heap_in_use();
    raise_to(max_heap_, s.heap_current);
    s.heap_maximum = max_heap_.load(std::memory_order_relaxed);
    return s;
}

}  // namespace culex::broker
