#include "log/topic_sink.hpp"

#include <atomic>
#include <mutex>
#include <utility>

namespace culex::log {

namespace {

thread_local int publishing_depth = 0;

struct Sink {
    std::atomic<bool> enabled{false};
    std::mutex mutex;  // guards the rest
    TopicQueue queue;
    std::function<void()> wake;
};

Sink& sink() {
    static Sink instance;
    return instance;
}

}  // namespace

std::optional<std::string_view> log_topic(LogType type) {
    switch (type) {
        case LogType::error:
            return "$SYS/broker/log/E";
        case LogType::warning:
            return "$SYS/broker/log/W";
        case LogType::notice:
            return "$SYS/broker/log/N";
        case LogType::information:
            return "$SYS/broker/log/I";
        case LogType::subscribe:
            return "$SYS/broker/log/M/subscribe";
        case LogType::unsubscribe:
            return "$SYS/broker/log/M/unsubscribe";
        default:
            return std::nullopt;
    }
}

bool TopicQueue::push(std::string_view topic, std::string_view text, bool& was_empty) {
    was_empty = lines_.empty();
    if (lines_.size() >= kMaxLines || bytes_ + text.size() > kMaxBytes) {
        ++dropped_;
        return false;
    }
    lines_.push_back({std::string(topic), std::string(text)});
    bytes_ += text.size();
    return true;
}

std::vector<TopicLine> TopicQueue::take(std::size_t& dropped) {
    dropped = dropped_;
    dropped_ = 0;
    bytes_ = 0;
    return std::exchange(lines_, {});
}

TopicPublishing::TopicPublishing() {
    ++publishing_depth;
}
TopicPublishing::~TopicPublishing() {
    --publishing_depth;
}
bool TopicPublishing::active() {
    return publishing_depth > 0;
}

void enable_topic_destination(bool on) {
    sink().enabled.store(on, std::memory_order_relaxed);
}

void set_topic_consumer(std::function<void()> wake) {
    Sink& s = sink();
    std::lock_guard lock(s.mutex);
    s.wake = std::move(wake);
    std::size_t dropped = 0;
    if (!s.wake) s.queue.take(dropped);
}

std::vector<TopicLine> take_topic_lines(std::size_t& dropped) {
    Sink& s = sink();
    std::lock_guard lock(s.mutex);
    return s.queue.take(dropped);
}

void offer_topic_line(LogType type, std::string_view line) {
    Sink& s = sink();
    if (!s.enabled.load(std::memory_order_relaxed) || TopicPublishing::active()) return;
    auto topic = log_topic(type);
    if (!topic) return;
    std::lock_guard lock(s.mutex);
    if (!s.wake) return;
    bool was_empty = false;
    if (s.queue.push(*topic, line, was_empty) && was_empty) s.wake();
}

}  // namespace culex::log
