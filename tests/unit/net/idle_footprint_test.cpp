// What every connected client costs while idle: its Connection, Client and Session (bench/compare.sh's idle
// cell, "broker RSS per connection", has the goal of no more than Mosquitto's). These sizes are where that
// figure is won or lost: each is just under a malloc size class (glibc: the request plus 8, in steps of 16),
// so one more field costs 16 bytes for every connection of a fleet. If a change must grow one, measure the
// idle cell (`bench/compare.sh --cells idle --brokers "culex mosquitto"`) and move the limit here with the
// figure in the commit message.
#include <gtest/gtest.h>

#include "broker/client.hpp"
#include "broker/session.hpp"
#include "net/connection.hpp"

namespace culex {
namespace {

TEST(IdleFootprint, ConnectionFitsWithItsCountsInA208ByteChunk) {
    // make_shared adds 16 bytes of counts: 184 + 16 + 8 = 208.
    EXPECT_LE(sizeof(net::Connection), 184u);
}

TEST(IdleFootprint, ClientFitsWithItsCountsInA112ByteChunk) {
    EXPECT_LE(sizeof(broker::Client), 88u);
}

TEST(IdleFootprint, SessionFitsInA160ByteChunk) {
    EXPECT_LE(sizeof(broker::Session), 152u);
}

TEST(IdleFootprint, OutputQueueHoldsNoSharedPayloadStateUntilItSharesOne) {
    EXPECT_LE(sizeof(net::OutputQueue), 48u);
}

}  // namespace
}  // namespace culex
