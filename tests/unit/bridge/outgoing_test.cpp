// bridge_max_packet_size (and an MQTT 5 remote's Maximum Packet Size) judge the PUBLISH the bridge sends:
// with the remote topic, which a prefix may make longer or shorter than the local one.
#include "bridge/outgoing.hpp"

#include <gtest/gtest.h>

namespace culex::bridge {
namespace {

using config::BridgeDirection;
using config::BridgeTopic;
using protocol::DeliveryFields;
using protocol::ProtocolVersion;
using protocol::Publish;
using protocol::QoS;

Publish message(std::string topic, std::size_t payload_bytes) {
    Publish p;
    p.topic = std::move(topic);
    p.payload = protocol::Payload(std::string(payload_bytes, 'x'));
    p.qos = QoS::at_least_once;
    p.packet_id = 7;
    return p;
}

// The whole PUBLISH (3.1.1, QoS 1): fixed header 2 bytes (below 128 remaining), topic length 2, topic,
// packet id 2, payload.
std::size_t packet_size(const Publish& p) {
    return 2 + 2 + p.topic.size() + 2 + p.payload.size();
}

const DeliveryFields kFields{QoS::at_least_once, false, false, 7};

TEST(Outgoing, ALongerRemoteTopicCanMakeItTooBig) {
    TopicRoute route(BridgeTopic{"#", BridgeDirection::out, 1, "a/", "a/much/longer/remote/prefix/"});
    Publish local = message("a/t", 50);
    const std::uint32_t limit = static_cast<std::uint32_t>(packet_size(local)) + 5;  // the local one fits
    std::string scratch;
    Outgoing out = prepare_outgoing(route, local, kFields, ProtocolVersion::v311, limit, scratch);
    ASSERT_TRUE(out.renamed);
    EXPECT_EQ(out.message(local).topic, "a/much/longer/remote/prefix/t");
    EXPECT_TRUE(out.too_big);
}

TEST(Outgoing, AShorterRemoteTopicCanMakeItFit) {
    TopicRoute route(BridgeTopic{"#", BridgeDirection::out, 1, "a/much/longer/local/prefix/", ""});
    Publish local = message("a/much/longer/local/prefix/t", 50);
    const std::uint32_t limit = static_cast<std::uint32_t>(packet_size(local)) - 5;  // the local one does not
    std::string scratch;
    Outgoing out = prepare_outgoing(route, local, kFields, ProtocolVersion::v311, limit, scratch);
    EXPECT_EQ(out.message(local).topic, "t");
    EXPECT_FALSE(out.too_big);
    // Exactly at the limit still goes; one byte less does not.
    const auto exact = static_cast<std::uint32_t>(packet_size(out.message(local)));
    EXPECT_FALSE(prepare_outgoing(route, local, kFields, ProtocolVersion::v311, exact, scratch).too_big);
    EXPECT_TRUE(prepare_outgoing(route, local, kFields, ProtocolVersion::v311, exact - 1, scratch).too_big);
}

TEST(Outgoing, SamePrefixesMakeNoCopyAndNoLimitMeasuresNothing) {
    TopicRoute route(BridgeTopic{"s/#", BridgeDirection::out, 1, "", ""});
    Publish local = message("s/1", 10);
    std::string scratch;
    Outgoing out = prepare_outgoing(route, local, kFields, ProtocolVersion::v311, 0, scratch);
    EXPECT_FALSE(out.renamed);
    EXPECT_FALSE(out.too_big);
    EXPECT_EQ(&out.message(local), &local);
    EXPECT_TRUE(scratch.empty());
}

}  // namespace
}  // namespace culex::bridge
