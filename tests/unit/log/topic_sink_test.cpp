// log_dest topic: Mosquitto's topics per severity, the bounded queue, and no line queued while log lines are
// being published.
#include <gtest/gtest.h>

#include "log/logger.hpp"
#include "log/topic_sink.hpp"

namespace culex::log {
namespace {

TEST(LogTopic, MosquittosTopicsAndNeverDebug) {
    EXPECT_EQ(log_topic(LogType::error), "$SYS/broker/log/E");
    EXPECT_EQ(log_topic(LogType::warning), "$SYS/broker/log/W");
    EXPECT_EQ(log_topic(LogType::notice), "$SYS/broker/log/N");
    EXPECT_EQ(log_topic(LogType::information), "$SYS/broker/log/I");
    EXPECT_EQ(log_topic(LogType::subscribe), "$SYS/broker/log/M/subscribe");
    EXPECT_EQ(log_topic(LogType::unsubscribe), "$SYS/broker/log/M/unsubscribe");
    EXPECT_FALSE(log_topic(LogType::debug));
    EXPECT_FALSE(log_topic(LogType::websockets));
}

TEST(TopicQueue, IsBoundedAndCountsWhatItDropped) {
    TopicQueue queue;
    bool was_empty = false;
    EXPECT_TRUE(queue.push("t", "first", was_empty));
    EXPECT_TRUE(was_empty);
    for (std::size_t i = 1; i < TopicQueue::kMaxLines; ++i)
        EXPECT_TRUE(queue.push("t", "x", was_empty));
    EXPECT_FALSE(was_empty);
    EXPECT_FALSE(queue.push("t", "one too many", was_empty));
    std::size_t dropped = 0;
    auto lines = queue.take(dropped);
    EXPECT_EQ(lines.size(), TopicQueue::kMaxLines);
    EXPECT_EQ(lines.front().text, "first");
    EXPECT_EQ(dropped, 1u);
    EXPECT_TRUE(queue.take(dropped).empty());
    EXPECT_EQ(dropped, 0u);
    // Bytes bound too.
    EXPECT_FALSE(queue.push("t", std::string(TopicQueue::kMaxBytes + 1, 'x'), was_empty));
}

TEST(LoggerTopic, QueuesLinesAndWakesOnceButNotWhilePublishing) {
    Logger logger;
    LogSettings settings = LogSettings::none();
    settings.timestamp = false;
    ASSERT_TRUE(logger.configure(settings));
    int wakes = 0;
    set_topic_consumer([&] { ++wakes; });
    logger.log(LogType::notice, "off: not queued");
    enable_topic_destination(true);
    logger.log(LogType::notice, "one {}", 1);
    logger.log(LogType::error, "two");
    {
        TopicPublishing publishing;  // what publishing a log line logs is not queued again
        logger.log(LogType::notice, "about the publish");
    }
    EXPECT_EQ(wakes, 1);
    std::size_t dropped = 0;
    auto lines = take_topic_lines(dropped);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].topic, "$SYS/broker/log/N");
    EXPECT_EQ(lines[0].text, "one 1");
    EXPECT_EQ(lines[1].topic, "$SYS/broker/log/E");
    set_topic_consumer(nullptr);
    logger.log(LogType::notice, "no consumer: not queued");
    EXPECT_TRUE(take_topic_lines(dropped).empty());
    enable_topic_destination(false);
}

}  // namespace
}  // namespace culex::log
