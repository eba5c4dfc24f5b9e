// `log_dest topic`: the first loop publishes the log lines the logger queued (log/topic_sink.hpp) on
// $SYS/broker/log/<severity>, at QoS 2 and not retained, as Mosquitto does. What routing them logs on this
// thread is not queued again (TopicPublishing), so a log line never begets another.
#include <fmt/format.h>

#include "broker/broker.hpp"
#include "broker/loop_broker.hpp"
#include "log/topic_sink.hpp"

namespace culex::broker {

namespace {

MessagePtr log_message(std::string topic, std::string_view text) {
    protocol::Publish publish;
    publish.topic = std::move(topic);
    publish.payload = protocol::Payload(text);
    publish.qos = protocol::QoS::exactly_once;
    return std::make_shared<const Message>(std::move(publish));
}

}  // namespace

void LoopBroker::publish_log_lines() {
    std::size_t dropped = 0;
    auto lines = log::take_topic_lines(dropped);
    log::TopicPublishing publishing;
    for (auto& line : lines)
        router_.route(log_message(std::move(line.topic), line.text), nullptr);
    if (dropped > 0)
        router_.route(log_message("$SYS/broker/log/W",
                                  fmt::format("Warning: {} log lines were not published on $SYS/broker/log: "
                                              "more came at once than its queue holds ({} lines).",
                                              dropped, log::TopicQueue::kMaxLines)),
                      nullptr);
}

}  // namespace culex::broker
