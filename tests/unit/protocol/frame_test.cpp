// next_frame, the stream splitter every connection runs on its input: partial input asks for more, whole
// packets come out one at a time, the size limit applies before the body arrives; and the variable byte
// integer of spec 1.5.5 at its boundaries.
#include <gtest/gtest.h>

#include <vector>

#include "protocol/codec.hpp"
#include "protocol/reason_codes.hpp"
#include "wire_builder.hpp"

namespace culex::protocol {
namespace {

using namespace test;

std::vector<std::string> sample_packets() {
    Connect connect;
    connect.version = ProtocolVersion::v5;
    connect.client_id = "frame-test";
    connect.properties.user_properties = {{"k", "v"}};
    return {
        encoded(Pingreq{}, ProtocolVersion::v311),
        encoded(Puback{1}, ProtocolVersion::v311),
        encoded(connect, ProtocolVersion::v5),
        encoded(Publish{"a/b", Payload(std::string(200, 'x')), QoS::at_least_once, false, false, 1, {}},
                ProtocolVersion::v311),  // 2-byte remaining length
        encoded(Publish{"a/b", Payload(std::string(20'000, 'y')), QoS::at_most_once, false, false, 0, {}},
                ProtocolVersion::v5),  // 3-byte remaining length
    };
}

TEST(NextFrame, EveryPrefixOfAPacketNeedsMore) {
    for (const auto& bytes : sample_packets()) {
        for (std::size_t n = 0; n < bytes.size(); ++n) {
            auto frame = next_frame(std::string_view(bytes).substr(0, n));
            ASSERT_TRUE(frame) << "prefix " << n << " of " << bytes.size() << ": " << frame.error().message;
            ASSERT_FALSE(frame->has_value()) << "prefix " << n << " of " << bytes.size();
        }
        auto whole = next_frame(bytes);
        ASSERT_TRUE(whole && *whole);
        EXPECT_EQ((*whole)->size, bytes.size());
        EXPECT_EQ((*whole)->header, static_cast<std::uint8_t>(bytes[0]));
        EXPECT_EQ((*whole)->body, std::string_view(bytes).substr(bytes.size() - (*whole)->body.size()));
    }
}

TEST(NextFrame, SplitsAStreamOfPacketsOneAtATime) {
    auto packets = sample_packets();
    std::string stream;
    for (const auto& p : packets)
        stream += p;
    stream += packets[3].substr(0, 5);  // and the start of one more
    std::string_view rest = stream;
    for (const auto& p : packets) {
        auto frame = next_frame(rest);
        ASSERT_TRUE(frame && *frame);
        EXPECT_EQ((*frame)->size, p.size());
        EXPECT_EQ(std::string(rest.substr(0, (*frame)->size)), p);
        rest.remove_prefix((*frame)->size);
    }
    auto tail = next_frame(rest);
    ASSERT_TRUE(tail);
    EXPECT_FALSE(*tail);
}

TEST(NextFrame, FrameAccessors) {
    const std::string bytes("\x62\x02\x00\x07", 4);  // the frame's body is a view into these bytes
    auto frame = next_frame(bytes);
    ASSERT_TRUE(frame && *frame);
    EXPECT_EQ((*frame)->type(), PacketType::pubrel);
    EXPECT_EQ((*frame)->flags(), 2);
    EXPECT_EQ((*frame)->body, std::string_view("\x00\x07", 2));
}

TEST(NextFrame, SizeLimitCountsTheWholePacket) {
    auto bytes = encoded(Publish{"t", Payload(std::string(10, 'x')), QoS::at_most_once, false, false, 0, {}},
                         ProtocolVersion::v311);
    ASSERT_EQ(bytes.size(), 15u);
    auto exact = next_frame(bytes, 15);
    ASSERT_TRUE(exact && *exact);
    auto over = next_frame(bytes, 14);
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().code, ReasonCode::packet_too_large);
    // The header alone is enough to refuse: a peer cannot make us buffer a body we will reject.
    auto header_only = next_frame(std::string_view(bytes).substr(0, 2), 14);
    ASSERT_FALSE(header_only);
    EXPECT_EQ(header_only.error().code, ReasonCode::packet_too_large);
}

TEST(NextFrame, LargestRemainingLengthWaitsForItsBody) {
    // 268,435,455 bytes announced (0xFF 0xFF 0xFF 0x7F): legal under the default limit, so wait for it.
    auto frame = next_frame(std::string("\x30\xFF\xFF\xFF\x7F", 5));
    ASSERT_TRUE(frame);
    EXPECT_FALSE(*frame);
    auto limited = next_frame(std::string("\x30\xFF\xFF\xFF\x7F", 5), 1'000'000);
    ASSERT_FALSE(limited);
    EXPECT_EQ(limited.error().code, ReasonCode::packet_too_large);
}

TEST(NextFrame, FiveByteRemainingLengthIsMalformedAsSoonAsSeen) {
    for (std::string bytes :
         {std::string("\x30\x80\x80\x80\x80", 5), std::string("\x30\xFF\xFF\xFF\xFF\x01", 6)}) {
        auto frame = next_frame(bytes);
        ASSERT_FALSE(frame);
        EXPECT_EQ(frame.error().code, ReasonCode::malformed_packet);
    }
    // Three continuation bytes so far: still possibly legal, so wait.
    auto partial = next_frame(std::string("\x30\x80\x80\x80", 4));
    ASSERT_TRUE(partial);
    EXPECT_FALSE(*partial);
}

TEST(Varint, SpecBoundaries) {
    // Spec 1.5.5, table 1.1: the smallest and largest value of each length.
    const std::pair<std::uint32_t, std::string> cases[] = {
        {0, std::string("\x00", 1)},
        {127, "\x7F"},
        {128, "\x80\x01"},
        {16'383, "\xFF\x7F"},
        {16'384, std::string("\x80\x80\x01", 3)},
        {2'097'151, "\xFF\xFF\x7F"},
        {2'097'152, std::string("\x80\x80\x80\x01", 4)},
        {268'435'455, "\xFF\xFF\xFF\x7F"},
    };
    for (const auto& [value, bytes] : cases) {
        std::string out;
        encode_varint(value, out);
        EXPECT_EQ(hex(out), hex(bytes)) << value;
        // The same bytes as a remaining length: the frame must be found to need exactly that many bytes.
        auto frame = next_frame("\xC0" + bytes, kMaxRemainingLength + 5);
        ASSERT_TRUE(frame);
        if (value == 0) {
            ASSERT_TRUE(*frame);
            EXPECT_EQ((*frame)->size, 2u);
        } else {
            EXPECT_FALSE(*frame);
        }
    }
}

}  // namespace
}  // namespace culex::protocol
