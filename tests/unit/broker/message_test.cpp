// Message::received: a client's PUBLISH kept in one block with its topic and payload bytes, whatever it
// borrowed from; copies of its payload share that block and keep it alive.
#include <gtest/gtest.h>

#include "broker/message.hpp"

namespace culex::broker {
namespace {

using namespace culex::protocol;

TEST(Message, AReceivedMessageKeepsTopicAndPayloadInItsOwnBlock) {
    std::string read = "sensors/building-1/floor-2/temperature" + std::string(500, 'x');
    Publish publish;
    publish.topic.borrow(std::string_view(read).substr(0, 38));
    publish.payload.borrow(std::string_view(read).substr(38));
    publish.qos = QoS::at_least_once;
    publish.retain = true;
    Properties properties;
    properties.message_expiry_interval = 60;
    publish.properties = properties;
    auto message = Message::received(std::move(publish));
    read.assign(read.size(), 'r');  // the bytes read are reused

    EXPECT_EQ(message->topic, "sensors/building-1/floor-2/temperature");
    EXPECT_EQ(message->payload.view(), std::string(500, 'x'));
    EXPECT_EQ(message->qos, QoS::at_least_once);
    EXPECT_TRUE(message->retain);
    EXPECT_TRUE(message->expires_at.has_value());
    auto* block_begin = reinterpret_cast<const char*>(message.get());
    EXPECT_GT(message->topic.data(), block_begin);
    EXPECT_EQ(message->payload.view().data(), message->topic.data() + message->topic.size());
    EXPECT_EQ(message.use_count(), 1);  // its own payload does not hold it
}

TEST(Message, ACopyOfItsPayloadOutlivesTheMessageAndSharesItsBytes) {
    Publish publish{"t", Payload(std::string(1000, 'p')), QoS::at_most_once, false, false, 0, {}};
    auto message = Message::received(std::move(publish));
    Payload kept = message->payload;  // what an output queue holds until its write
    EXPECT_EQ(kept.view().data(), message->payload.view().data());
    message.reset();
    EXPECT_EQ(kept.view(), std::string(1000, 'p'));
}

TEST(Message, EmptyTopicAndPayload) {
    Publish publish;
    auto message = Message::received(std::move(publish));
    EXPECT_TRUE(message->topic.empty());
    EXPECT_TRUE(message->payload.empty());
    Payload copy = message->payload;
    EXPECT_TRUE(copy.empty());
}

TEST(Message, ACopiedMessageOwnsWhatItCopied) {
    Publish publish{
        "a/b/c/d/e/f/g/h/i", Payload(std::string(300, 'c')), QoS::at_most_once, false, false, 0, {}};
    std::shared_ptr<const Message> original = Message::received(std::move(publish));
    Message copy = *original;
    original.reset();
    EXPECT_EQ(copy.topic, "a/b/c/d/e/f/g/h/i");
    EXPECT_EQ(copy.payload.view(), std::string(300, 'c'));
}

}  // namespace
}  // namespace culex::broker
