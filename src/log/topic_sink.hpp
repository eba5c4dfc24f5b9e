// `log_dest topic`: log lines kept for the broker to publish on $SYS/broker/log/<severity> (Mosquitto's
// topics: E, W, N, I, M/subscribe, M/unsubscribe; debug and websockets lines never go to topics). The
// logger only queues them (offer_topic_line), in one process-wide queue: src/log knows no broker. The queue
// is bounded (a flood of lines drops the excess and counts it), and lines logged while the broker publishes
// queued ones (TopicPublishing on that thread) are not queued, so a publish of a log line never makes
// another.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "log/log_type.hpp"

namespace culex::log {

// The topic a line of `type` goes to; nullopt: never published (debug, websockets).
std::optional<std::string_view> log_topic(LogType type);

struct TopicLine {
    std::string topic;
    std::string text;
};

// Used under the logger's lock.
class TopicQueue {
  public:
    static constexpr std::size_t kMaxLines = 1000;
    static constexpr std::size_t kMaxBytes = 256 * 1024;

    // False when full (the line is counted as dropped). True with `was_empty` set: the consumer must be
    // woken.
    bool push(std::string_view topic, std::string_view text, bool& was_empty);
    // Everything queued, and how many lines were dropped since the last take.
    std::vector<TopicLine> take(std::size_t& dropped);

  private:
    std::vector<TopicLine> lines_;
    std::size_t bytes_ = 0;
    std::size_t dropped_ = 0;
};

// Set on a thread while it publishes queued log lines: what it logs meanwhile is not queued again.
class TopicPublishing {
  public:
    TopicPublishing();
    ~TopicPublishing();
    TopicPublishing(const TopicPublishing&) = delete;
    TopicPublishing& operator=(const TopicPublishing&) = delete;
    static bool active();
};

// The process's topic destination: off until enabled (the CLI, from `log_dest topic`, at start and reload).
void enable_topic_destination(bool on);
// `wake` is called (under the queue's lock: it must only post work elsewhere) when a line arrives in an empty
// queue; the consumer then takes the lines. Null: none, and nothing is queued. Once it returns, the previous
// `wake` is not running, so its consumer may go.
void set_topic_consumer(std::function<void()> wake);
std::vector<TopicLine> take_topic_lines(std::size_t& dropped);
// The logger's part: a line written (without newline), queued when the destination is on and wanted.
void offer_topic_line(LogType type, std::string_view line);

}  // namespace culex::log
