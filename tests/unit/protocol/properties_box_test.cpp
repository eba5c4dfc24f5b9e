// PropertiesBox: a PUBLISH without properties holds none and allocates nothing (the broker keeps every queued
// and retained message, and decodes every PUBLISH), while one with properties keeps and copies them whole.
#include <gtest/gtest.h>

#include "protocol/codec.hpp"

namespace culex::protocol {
namespace {

Publish decoded(const Publish& publish, ProtocolVersion version) {
    std::string wire;
    encode(Packet{publish}, version, wire);
    auto frame = next_frame(wire);
    EXPECT_TRUE(frame && frame->has_value());
    auto packet = decode(**frame, version);
    EXPECT_TRUE(packet.has_value());
    return std::get<Publish>(*packet);
}

Publish sample() {
    Publish p;
    p.topic = "box/one";
    p.payload = Payload(std::string_view("x"));
    return p;
}

TEST(PropertiesBox, APublishWithoutPropertiesHoldsNone) {
    EXPECT_TRUE(decoded(sample(), ProtocolVersion::v311).properties.empty());
    EXPECT_TRUE(decoded(sample(), ProtocolVersion::v5).properties.empty());  // an empty property block
    EXPECT_FALSE(decoded(sample(), ProtocolVersion::v5).properties->message_expiry_interval);
}

TEST(PropertiesBox, AnEmptyPropertiesMakesAnEmptyBox) {
    PropertiesBox box(Properties{});
    EXPECT_TRUE(box.empty());
    EXPECT_EQ(box, PropertiesBox());
}

TEST(PropertiesBox, PropertiesSurviveDecodeAndCopy) {
    Publish p = sample();
    p.properties.edit().message_expiry_interval = 60;
    p.properties.edit().user_properties = {{"k", "v"}};
    Publish back = decoded(p, ProtocolVersion::v5);
    ASSERT_FALSE(back.properties.empty());
    EXPECT_EQ(back.properties->message_expiry_interval, 60u);
    Publish copy = back;
    copy.properties.edit().message_expiry_interval = 5;  // a deep copy: the original keeps its own
    EXPECT_EQ(back.properties->message_expiry_interval, 60u);
    EXPECT_EQ(copy.properties->user_properties, back.properties->user_properties);
    EXPECT_NE(copy, back);
}

}  // namespace
}  // namespace culex::protocol
