// The row checksum is part of the file format: a change to how it is computed would make every row of every
// existing store read as damaged. These values pin it; change them only with a format version step.
#include "store/row_checksum.hpp"
#include "store_test_support.hpp"

namespace culex::store::testing {
namespace {

// The first one checked independently: in Python, with s(b) = b's' + struct.pack('<Q', len(b)) + b and
// i(v) = b'i' + struct.pack('<q', v), zlib.crc32(s(b'a/b') + s(b'temperature 21.5') + i(1) +
// s(b'\x02\x00\x00\x00\x3c\x08\xff') + i(1900000000123)) == 2664139498.
TEST(RowChecksum, PinnedValuesOfTheFormat) {
    EXPECT_EQ(checksum(retained("a/b")), 2664139498u);
    EXPECT_EQ(checksum(queued("c", 7)), 1780012682u);
    EXPECT_EQ(checksum(session("c")), 1570850614u);
}

TEST(RowChecksum, FieldBoundariesCount) {
    EXPECT_NE(RowChecksum().add("ab").add("c").value(), RowChecksum().add("a").add("bc").value());
    EXPECT_NE(RowChecksum().add(std::optional<std::int64_t>()).value(),
              RowChecksum().add(std::int64_t{0}).value());
}

TEST(RowChecksum, ALargeFieldIsCoveredWhole) {
    std::string big(5000, 'x');
    auto before = RowChecksum().add(big).value();
    big[4321] = 'y';
    EXPECT_NE(RowChecksum().add(big).value(), before);
}

TEST(RowChecksum, EveryFieldOfARecordCounts) {
    const auto base = inflight("c", Direction::outgoing, 3);
    const auto sum = checksum(base);
    auto changed = [&](auto change) {
        auto copy = base;
        change(copy);
        return checksum(copy) != sum;
    };
    EXPECT_TRUE(changed([](InflightRecord& r) { r.client_id = "d"; }));
    EXPECT_TRUE(changed([](InflightRecord& r) { r.direction = Direction::incoming; }));
    EXPECT_TRUE(changed([](InflightRecord& r) { r.packet_id = 4; }));
    EXPECT_TRUE(changed([](InflightRecord& r) { r.state = InflightState::pubrec_received; }));
    EXPECT_TRUE(changed([](InflightRecord& r) { r.sequence = 99; }));
    EXPECT_TRUE(changed([](InflightRecord& r) { r.topic = "x"; }));
    EXPECT_TRUE(changed([](InflightRecord& r) { r.payload = protocol::Payload(std::string("y")); }));
    EXPECT_TRUE(changed([](InflightRecord& r) { r.qos = protocol::QoS::at_least_once; }));
    EXPECT_TRUE(changed([](InflightRecord& r) { r.retain = false; }));
    EXPECT_TRUE(changed([](InflightRecord& r) { r.properties.clear(); }));
    EXPECT_TRUE(changed([](InflightRecord& r) { r.expires_at = at_ms(1); }));
    EXPECT_TRUE(changed([](InflightRecord& r) { r.share_name.clear(); }));
}

}  // namespace
}  // namespace culex::store::testing
