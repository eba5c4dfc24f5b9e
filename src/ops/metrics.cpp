#include "ops/metrics.hpp"

#include "ops/metric_sample.hpp"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <fmt/format.h>

namespace culex::ops {

namespace {

using prometheus::MetricFamily;
using prometheus::MetricType;

class Families {
  public:
    MetricFamily& family(std::string name, std::string help, MetricType type) {
        families_.push_back({std::move(name), std::move(help), type, {}});
        return families_.back();
    }
    // One family with one unlabelled value.
    void single(std::string name, std::string help, MetricType type, double value) {
        add_sample(family(std::move(name), std::move(help), type), {}, value);
    }
    std::string text() const { return prometheus::TextSerializer().Serialize(families_); }

  private:
    std::vector<MetricFamily> families_;
};

std::string listener_name(const std::vector<std::string>& names, std::size_t index) {
    return index < names.size() ? names[index] : fmt::format("{}", index);
}

bool shown(const std::vector<std::string>& names, std::size_t index) {
    return index >= names.size() || !names[index].empty();
}

// One family labelled by listener, from a field of TrafficFigures.
template <class Field>
void by_listener(Families& out, const broker::Statistics& s, const std::vector<std::string>& names,
                 std::string name, std::string help, MetricType type, Field field) {
    auto& family = out.family(std::move(name), std::move(help), type);
    for (std::size_t i = 0; i < s.by_listener.size(); ++i)
        if (shown(names, i))
            add_sample(family, {{"listener", listener_name(names, i)}},
                       static_cast<double>(field(s.by_listener[i])));
}

void by_listener_and_qos(Families& out, const broker::Statistics& s, const std::vector<std::string>& names,
                         std::string name, std::string help, bool received) {
    auto& family = out.family(std::move(name), std::move(help), MetricType::Counter);
    for (std::size_t i = 0; i < s.by_listener.size(); ++i)
        for (std::size_t qos = 0; qos < 3 && shown(names, i); ++qos) {
            const auto& f = s.by_listener[i];
            auto value = received ? f.publish_received[qos] : f.publish_sent[qos];
            add_sample(family, {{"listener", listener_name(names, i)}, {"qos", fmt::format("{}", qos)}},
                       static_cast<double>(value));
        }
}

}  // namespace

std::string_view drop_cause_name(broker::DropCause cause) {
    using broker::DropCause;
    switch (cause) {
        case DropCause::queue_full:
            return "queue_full";
        case DropCause::output_buffer:
            return "output_buffer";
        case DropCause::loop_behind:
            return "loop_behind";
        case DropCause::too_large:
            return "too_large";
        case DropCause::denied:
            return "denied";
        case DropCause::message_size:
            return "message_size_limit";
        case DropCause::memory:
            return "memory_limit";
    }
    return "other";
}

std::string render_metrics(const broker::Statistics& s, const std::vector<std::string>& names) {
    using T = broker::TrafficFigures;
    Families out;
    auto gauge = MetricType::Gauge;
    auto counter = MetricType::Counter;
    out.single("culex_uptime_seconds", "Seconds since the broker started", gauge,
               static_cast<double>(s.uptime.count()));
    by_listener(out, s, names, "culex_clients_connected", "Clients logged in now", gauge,
                [](const T& f) { return f.connected; });
    out.single("culex_clients_maximum", "The most clients logged in at once since start", gauge,
               static_cast<double>(s.max_connected));
    out.single("culex_sessions", "Sessions the broker holds, online or not", gauge,
               static_cast<double>(s.sessions));
    out.single("culex_sessions_expired_total", "Persistent sessions ended by their expiry", counter,
               static_cast<double>(s.sessions_expired));
    by_listener(out, s, names, "culex_connections_total", "Connections accepted", counter,
                [](const T& f) { return f.sockets; });
    by_listener(out, s, names, "culex_logins_total", "Clients that logged in (CONNACK accepted)", counter,
                [](const T& f) { return f.connects; });
    by_listener(out, s, names, "culex_packets_received_total", "MQTT packets received", counter,
                [](const T& f) { return f.packets_received; });
    by_listener(out, s, names, "culex_packets_sent_total", "MQTT packets sent", counter,
                [](const T& f) { return f.packets_sent; });
    by_listener(out, s, names, "culex_bytes_received_total", "Bytes received (MQTT, before TLS)", counter,
                [](const T& f) { return f.bytes_received; });
    by_listener(out, s, names, "culex_bytes_sent_total", "Bytes sent (MQTT, before TLS)", counter,
                [](const T& f) { return f.bytes_sent; });
    by_listener_and_qos(out, s, names, "culex_publish_received_total", "PUBLISH packets received", true);
    by_listener_and_qos(out, s, names, "culex_publish_sent_total", "PUBLISH packets sent", false);
    by_listener(out, s, names, "culex_publish_bytes_received_total", "Payload bytes of PUBLISH received",
                counter, [](const T& f) { return f.publish_bytes_received; });
    by_listener(out, s, names, "culex_publish_bytes_sent_total", "Payload bytes of PUBLISH sent", counter,
                [](const T& f) { return f.publish_bytes_sent; });
    auto& drops = out.family("culex_publish_dropped_total",
                             "PUBLISHes not taken in, or not delivered to a subscriber, by cause", counter);
    for (std::size_t cause = 0; cause < broker::kDropCauses; ++cause)
        add_sample(drops, {{"cause", std::string(drop_cause_name(static_cast<broker::DropCause>(cause)))}},
                   static_cast<double>(s.drops[cause]));
    out.single("culex_subscriptions", "Subscriptions held", gauge, static_cast<double>(s.subscriptions));
    out.single("culex_retained_messages", "Retained messages held", gauge, static_cast<double>(s.retained));
    out.single("culex_retained_bytes", "Payload bytes of the retained messages", gauge,
               static_cast<double>(s.retained_bytes));
    out.single("culex_queued_messages", "Messages waiting in sessions' queues (sampled every second)", gauge,
               static_cast<double>(s.queued_messages));
    out.single("culex_queued_bytes", "Payload bytes of the queued messages (sampled every second)", gauge,
               static_cast<double>(s.queued_bytes));
    out.single("culex_inflight_messages",
               "QoS 1/2 messages sent and not yet acknowledged (sampled every second)", gauge,
               static_cast<double>(s.inflight_messages));
    out.single("culex_heap_bytes", "Heap in use", gauge, static_cast<double>(s.heap_current));
    out.single("culex_heap_max_bytes", "The most heap in use seen", gauge,
               static_cast<double>(s.heap_maximum));
    return out.text();
}

}  // namespace culex::ops
