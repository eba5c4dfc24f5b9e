// Seeds for broker_fuzz: scripts in its format (see broker_fuzz.cpp) for the flows worth starting from:
// publish/subscribe at each QoS with acknowledgements, a takeover, a will, a shared subscription across two
// loops, and a CONNECT sent as raw bytes.
#include <cstdint>
#include <initializer_list>
#include <string>

#include "protocol/codec.hpp"
#include "seeds.hpp"

namespace culex::fuzz {

namespace {

// Opcodes (low nibble; the high nibble is the client slot).
constexpr std::uint8_t kNew = 0, kRaw = 1, kConnect = 2, kSubscribe = 3, kPublish = 4, kAck = 5,
                       kUnsubscribe = 6, kDisconnect = 7, kPing = 8, kClose = 9, kTick = 11, kRun = 12;
// CONNECT operand bits.
constexpr std::uint8_t kV5 = 0x01, kClean = 0x04, kWill = 0x40;
constexpr std::uint8_t id_bits(int index) {
    return static_cast<std::uint8_t>(index << 3);
}

struct ScriptBuilder {
    std::string bytes;
    explicit ScriptBuilder(std::uint8_t setup) { bytes += static_cast<char>(setup); }
    ScriptBuilder& op(int slot, std::uint8_t code, std::uint8_t arg = 0) {
        bytes += static_cast<char>((slot << 4) | code);
        if (code != kNew) bytes += static_cast<char>(arg);
        return *this;
    }
};

// SUBSCRIBE operand: filter index, QoS.
std::uint8_t sub(int filter, int qos) {
    return static_cast<std::uint8_t>(filter | (qos << 3));
}
// PUBLISH operand: topic index, QoS, retain.
std::uint8_t pub(int topic, int qos, bool retain = false) {
    return static_cast<std::uint8_t>(topic | (qos << 3) | (retain ? 0x20 : 0));
}

}  // namespace

void write_broker_seeds(const std::string& dir) {
    for (std::uint8_t version : {std::uint8_t{0}, kV5}) {
        ScriptBuilder s(0x00);
        s.op(0, kConnect, version | kClean | id_bits(0)).op(1, kConnect, version | kClean | id_bits(1));
        s.op(0, kSubscribe, sub(0, 2)).op(1, kPublish, pub(1, 1)).op(1, kPublish, pub(1, 2));
        s.op(0, kRun).op(0, kAck, 1).op(0, kAck, 3).op(1, kAck, 2).op(0, kPing).op(0, kUnsubscribe, 0);
        s.op(0, kDisconnect, 0).op(1, kDisconnect, 0);
        write_file(dir + "/qos-flows-" + std::to_string(version), s.bytes);
    }
    {
        // A persistent session taken over by a second connection with the same id, on the other loop.
        ScriptBuilder s(0x01);
        s.op(0, kConnect, id_bits(0)).op(0, kSubscribe, sub(4, 1)).op(1, kConnect, kClean | id_bits(1));
        s.op(1, kPublish, pub(1, 1)).op(0, kRun);
        s.op(2, kConnect, id_bits(0)).op(2, kRun).op(2, kAck, 0).op(0, kPublish, pub(1, 0)).op(2, kRun);
        write_file(dir + "/takeover", s.bytes);
    }
    {
        // A will, published when its connection closes without DISCONNECT; retained messages.
        ScriptBuilder s(0x00);
        s.op(0, kConnect, kClean | id_bits(0)).op(0, kSubscribe, sub(7, 1));
        s.op(1, kConnect, kV5 | kClean | kWill | id_bits(1)).op(1, kPublish, pub(5, 1, true)).op(1, kRun);
        s.op(1, kClose)
            .op(0, kRun)
            .op(0, kTick, 10)
            .op(2, kConnect, kClean | id_bits(2))
            .op(2, kSubscribe, sub(0, 1));
        write_file(dir + "/will-and-retained", s.bytes);
    }
    {
        // A shared subscription with members on both loops.
        ScriptBuilder s(0x01);
        s.op(0, kConnect, kV5 | kClean | id_bits(0)).op(1, kConnect, kV5 | kClean | id_bits(1));
        s.op(0, kSubscribe, sub(3, 1)).op(1, kSubscribe, sub(3, 1)).op(2, kConnect, kClean | id_bits(2));
        for (int i = 0; i < 4; ++i)
            s.op(2, kPublish, pub(1, 1));
        s.op(0, kRun).op(0, kClose).op(1, kRun).op(1, kAck, 0);
        write_file(dir + "/shared", s.bytes);
    }
    {
        // CONNECT and SUBSCRIBE as bytes, the way net hands them over.
        using namespace culex::protocol;
        Connect connect;
        connect.client_id = "raw";
        std::string wire;
        encode(connect, ProtocolVersion::v311, wire);
        encode(Subscribe{1, {{"a/#", QoS::at_least_once}}, {}}, ProtocolVersion::v311, wire);
        encode(Publish{"a/b", Payload(std::string("x")), QoS::at_least_once, false, false, 2, {}},
               ProtocolVersion::v311, wire);
        ScriptBuilder s(0x00);
        s.op(0, kNew);
        s.bytes += static_cast<char>(kRaw);
        s.bytes += static_cast<char>(wire.size());
        s.bytes += wire;
        s.op(0, kRun).op(0, kAck, 0);
        write_file(dir + "/raw-bytes", s.bytes);
    }
}

}  // namespace culex::fuzz
