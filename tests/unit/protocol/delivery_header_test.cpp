// encode_delivery_header: the PUBLISH up to its payload, so that the payload can be written from where it is;
// with the payload after it, it is encode_delivery's packet, and it says where the packet id is.
#include <gtest/gtest.h>

#include "protocol/codec.hpp"

namespace culex::protocol {
namespace {

TEST(DeliveryHeader, HeaderThenPayloadIsTheWholeDelivery) {
    Publish message{"a/b", Payload(std::string(300, 'x')), QoS::at_least_once, false, false, 0, {}};
    std::uint32_t ids[] = {42};
    for (ProtocolVersion version : {ProtocolVersion::v311, ProtocolVersion::v5}) {
        for (QoS qos : {QoS::at_most_once, QoS::exactly_once}) {
            DeliveryFields fields{qos, true, false,
                                  qos == QoS::at_most_once ? std::uint16_t{0} : std::uint16_t{0x1234}};
            fields.subscription_identifiers = ids;
            std::string whole;
            std::size_t size = encode_delivery(message, fields, version, whole);
            std::string header = "x";  // appended after what is there
            DeliveryHeader layout = encode_delivery_header(message, fields, version, header);
            EXPECT_EQ(layout.size, header.size() - 1);
            EXPECT_EQ(layout.packet_size, size);
            EXPECT_EQ(header.substr(1) + std::string(message.payload.view()), whole);
            if (qos == QoS::at_most_once) {
                EXPECT_EQ(layout.packet_id_at, 0u);
            } else {
                EXPECT_EQ(header.substr(1 + layout.packet_id_at, 2), "\x12\x34");
            }
        }
    }
}

}  // namespace
}  // namespace culex::protocol
