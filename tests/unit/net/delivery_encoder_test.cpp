// DeliveryEncoder: whatever it shares or keeps, each receiver gets exactly the bytes encode_delivery makes
// for it (every version, QoS, flag and MQTT 5 property that differs per receiver); a large payload is
// referenced, not copied; a message is known by its payload's buffer, so another message never gets its
// header.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net/delivery_encoder.hpp"

namespace culex::net {
namespace {

using namespace culex::protocol;

std::string unsent_of(const OutputQueue& queue) {
    std::vector<iovec> iov(1024);
    iov.resize(queue.gather(iov));
    std::string out;
    for (const iovec& piece : iov)
        out.append(static_cast<const char*>(piece.iov_base), piece.iov_len);
    return out;
}

std::string expected(const Publish& message, const DeliveryFields& fields, ProtocolVersion version) {
    std::string out;
    encode_delivery(message, fields, version, out);
    return out;
}

Publish message(std::string topic, std::size_t size, char fill = 'm') {
    return Publish{std::move(topic), Payload(std::string(size, fill)), QoS::exactly_once, true, false, 0, {}};
}

TEST(DeliveryEncoder, EveryReceiverGetsWhatEncodeDeliveryMakesForIt) {
    std::uint32_t ids[] = {7, 300};
    Publish with_properties = message("t/props", 2000);
    with_properties.properties.edit().content_type = "text/plain";
    for (std::size_t size :
         {std::size_t{0}, std::size_t{30}, DeliveryEncoder::kShareFrom, std::size_t{20000}}) {
        Publish plain = message("a/topic/of/some/length", size);
        std::vector<std::pair<const Publish*, DeliveryFields>> cases;
        for (QoS qos : {QoS::at_most_once, QoS::at_least_once, QoS::exactly_once})
            for (bool retain : {false, true})
                for (bool dup : {false, true})
                    for (std::uint16_t id : {1, 0xABCD})
                        cases.push_back(
                            {&plain, DeliveryFields{qos, retain, dup,
                                                    qos == QoS::at_most_once ? std::uint16_t{0} : id}});
        DeliveryFields with_ids;
        with_ids.subscription_identifiers = ids;
        cases.push_back({&plain, with_ids});
        DeliveryFields aliased;
        aliased.topic_alias = 3;
        cases.push_back({&plain, aliased});
        aliased.omit_topic = true;
        cases.push_back({&plain, aliased});
        for (QoS qos : {QoS::at_most_once, QoS::at_least_once}) {
            DeliveryFields mounted{qos, false, false,
                                   qos == QoS::at_most_once ? std::uint16_t{0} : std::uint16_t{9}};
            mounted.topic_skip = 2;  // a listener's mount point "a/": a form of its own, never another's
            cases.push_back({&plain, mounted});
        }
        DeliveryFields expiring;
        expiring.message_expiry_interval = 59;
        cases.push_back({&plain, expiring});
        cases.push_back({&with_properties, DeliveryFields{}});
        for (ProtocolVersion version : {ProtocolVersion::v31, ProtocolVersion::v311, ProtocolVersion::v5}) {
            DeliveryEncoder encoder;
            // Twice over: the second round finds the forms the first one kept.
            for (int round = 0; round < 2; ++round) {
                for (const auto& [publish, fields] : cases) {
                    OutputQueue out;
                    out.own().append("before|");
                    ASSERT_TRUE(encoder.encode(*publish, fields, version, 0, out));
                    EXPECT_EQ(unsent_of(out), "before|" + expected(*publish, fields, version))
                        << "size " << size << ", version " << static_cast<int>(version) << ", qos "
                        << static_cast<int>(fields.qos) << ", id " << fields.packet_id;
                }
            }
        }
    }
}

TEST(DeliveryEncoder, ALargePayloadIsReferencedNotCopied) {
    DeliveryEncoder encoder;
    Publish big = message("fan/out", 16 * 1024);
    std::vector<OutputQueue> subscribers(10);
    for (auto& out : subscribers)
        ASSERT_TRUE(encoder.encode(big, DeliveryFields{}, ProtocolVersion::v311, 0, out));
    for (auto& out : subscribers) {
        EXPECT_LT(out.own().size(), 16u) << "only the header is the subscriber's own";
        std::vector<iovec> iov(4);
        ASSERT_EQ(out.gather(iov), 2u);
        EXPECT_EQ(iov[1].iov_base, big.payload.view().data()) << "the message's own bytes";
    }
}

TEST(DeliveryEncoder, TooLargeForTheClientAppendsNothing) {
    DeliveryEncoder encoder;
    Publish big = message("too/big", 4000);
    for (std::uint32_t subscription_id : {0u, 5u}) {  // a shared form, and one of the receiver's own
        std::uint32_t ids[] = {subscription_id};
        DeliveryFields fields;
        if (subscription_id) fields.subscription_identifiers = ids;
        OutputQueue out;
        out.own().append("x");
        EXPECT_FALSE(encoder.encode(big, fields, ProtocolVersion::v5, 1000, out));
        EXPECT_EQ(unsent_of(out), "x");
        EXPECT_TRUE(encoder.encode(big, fields, ProtocolVersion::v5, 5000, out));
    }
}

TEST(DeliveryEncoder, AnotherMessageNeverGetsAKeptHeader) {
    DeliveryEncoder encoder;
    Publish first = message("same/topic", 1000, 'a');
    Publish second = message("same/topic", 1000, 'b');  // same topic and size: only the payload differs
    Publish renamed = first;                            // the very same payload under another topic
    renamed.topic = "other/topic";
    for (const Publish* publish : {&first, &second, &renamed, &first}) {
        OutputQueue out;
        ASSERT_TRUE(encoder.encode(*publish, DeliveryFields{}, ProtocolVersion::v311, 0, out));
        EXPECT_EQ(unsent_of(out), expected(*publish, DeliveryFields{}, ProtocolVersion::v311));
    }
}

TEST(DeliveryEncoder, ForgettingLetsThePayloadsGo) {
    DeliveryEncoder encoder;
    OutputQueue out;
    {
        Publish gone = message("t", 2048, 'g');
        ASSERT_TRUE(encoder.encode(gone, DeliveryFields{}, ProtocolVersion::v311, 0, out));
    }
    encoder.forget();
    // The queue's hold is the only one left, and enough.
    EXPECT_EQ(unsent_of(out).substr(out.own().size()), std::string(2048, 'g'));
}

}  // namespace
}  // namespace culex::net
