// Borrowed topic names and payloads (the broker's one-allocation path): they point into bytes they do not
// own, and whatever copies or moves them owns, so a borrow cannot outlive its bytes unless it is kept by
// reference. decode_borrowing decodes what decode does.
#include <gtest/gtest.h>

#include <string>

#include "protocol/codec.hpp"
#include "protocol/payload.hpp"
#include "protocol/topic_name.hpp"

namespace culex::protocol {
namespace {

TEST(TopicName, ABorrowedNamePointsIntoItsBytesAndACopyOrMoveOwns) {
    std::string bytes = "sensors/building-1/floor-2/temperature";
    TopicName borrowed;
    borrowed.borrow(bytes);
    EXPECT_TRUE(borrowed.borrowed());
    EXPECT_EQ(borrowed.data(), bytes.data());

    TopicName copied = borrowed;
    TopicName assigned;
    assigned = borrowed;
    TopicName moved = std::move(borrowed);
    bytes.assign(bytes.size(), 'z');  // the bytes read are reused
    for (const TopicName* name : {&copied, &assigned, &moved}) {
        EXPECT_FALSE(name->borrowed());
        EXPECT_EQ(*name, "sensors/building-1/floor-2/temperature");
    }
}

TEST(TopicName, ComparesFormatsAndAssignsAsAString) {
    TopicName a = std::string("a/b");
    EXPECT_EQ(a, "a/b");
    EXPECT_EQ(a, std::string("a/b"));
    EXPECT_EQ(a, std::string_view("a/b"));
    EXPECT_LT(TopicName("a"), TopicName("b"));
    EXPECT_EQ(fmt::format("[{}]", a), "[a/b]");
    a = std::string_view("c");
    EXPECT_EQ(a.str(), "c");
    std::string view_of_itself = "x/y/z";
    TopicName b;
    b.borrow(view_of_itself);
    b = b.substr(2);  // assigning a view of its own bytes
    EXPECT_EQ(b, "y/z");
    EXPECT_FALSE(b.borrowed());
}

TEST(Payload, ABorrowedPayloadIsCopiedByWhateverKeepsIt) {
    std::string bytes(300, 'p');
    Payload borrowed;
    borrowed.borrow(bytes);
    EXPECT_EQ(borrowed.view().data(), bytes.data());
    Payload copied = borrowed;
    Payload moved = std::move(borrowed);
    EXPECT_TRUE(borrowed.empty());
    bytes.assign(300, 'q');
    EXPECT_EQ(copied.view(), std::string(300, 'p'));
    EXPECT_EQ(moved.view(), std::string(300, 'p'));
}

struct Holder : PayloadOwner {
    std::string bytes = std::string(300, 'h');
    Payload payload;
};

TEST(Payload, APayloadHeldByItsOwnerIsSharedByCopiesThatKeepTheOwnerAlive) {
    auto holder = std::make_shared<Holder>();
    holder->payload.borrow(*holder, holder->bytes);
    EXPECT_EQ(holder.use_count(), 1);  // its own payload does not count: it would keep itself alive
    Payload copy = holder->payload;
    EXPECT_EQ(copy.view().data(), holder->bytes.data());  // the same bytes, not a copy
    EXPECT_EQ(holder.use_count(), 2);
    std::weak_ptr<Holder> watch = holder;
    holder.reset();
    EXPECT_FALSE(watch.expired());  // the copy holds the owner
    EXPECT_EQ(copy.view(), std::string(300, 'h'));
    copy = Payload();
    EXPECT_TRUE(watch.expired());
}

TEST(DecodeBorrowing, DecodesWhatDecodeDoesWithTopicAndPayloadInTheFrame) {
    Properties properties;
    properties.message_expiry_interval = 30;
    properties.user_properties.push_back({"k", "v"});
    Publish publish{"a/long/topic/name/over/fifteen",
                    Payload(std::string(100, 'x')),
                    QoS::at_least_once,
                    true,
                    false,
                    7,
                    properties};
    for (auto version : {ProtocolVersion::v311, ProtocolVersion::v5}) {
        std::string bytes;
        encode(publish, version, bytes);
        auto frame = next_frame(bytes);
        ASSERT_TRUE(frame && *frame);
        auto owned = decode(**frame, version);
        auto borrowed = decode_borrowing(**frame, version);
        ASSERT_TRUE(owned && borrowed);
        EXPECT_EQ(*owned, *borrowed);
        const auto& p = std::get<Publish>(*borrowed);
        EXPECT_TRUE(p.topic.borrowed());
        EXPECT_GE(p.topic.data(), bytes.data());
        EXPECT_LT(p.payload.view().data(), bytes.data() + bytes.size());
        EXPECT_FALSE(std::get<Publish>(*owned).topic.borrowed());
    }
    // Anything but PUBLISH owns what it decoded, as decode makes it.
    std::string bytes;
    encode(Subscribe{1, {Subscription{"a/#"}}, {}}, ProtocolVersion::v311, bytes);
    auto frame = next_frame(bytes);
    EXPECT_EQ(*decode_borrowing(**frame, ProtocolVersion::v311), *decode(**frame, ProtocolVersion::v311));
}

}  // namespace
}  // namespace culex::protocol
