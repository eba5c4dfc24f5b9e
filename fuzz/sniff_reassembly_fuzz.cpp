// libFuzzer target for sniff's TCP reassembly (src/sniff/reassembler, libtins underneath, and
// src/sniff/link_layer). Input: one byte choosing the link type and the broker ports, then frames, each as
// [seconds since the previous frame: 1 byte][length: 2 bytes, big endian][the frame]. Invariants beyond
// "no crash", checked by the handler the reassembler reports to:
// - connection ids are new on open (1, 2, 3, ...), data and close come only for open connections, each
//   connection closes once, and finish() closes all that remain;
// - the broker side's port is the one the endpoints name;
// - the statistics count what was fed.
#include <chrono>
#include <cstdint>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <pcap/dlt.h>

#include "invariant.hpp"
#include "sniff/reassembler.hpp"

namespace {

using culex::fuzz::check;
using namespace culex::sniff;

constexpr const char* kTarget = "sniff_reassembly_fuzz";

class CheckingHandler : public StreamHandler {
  public:
    void on_open(ConnectionId id, const Endpoints& endpoints, Micros) override {
        check(id == opened + 1, kTarget, "connection ids are not 1, 2, 3, ...");
        ++opened;
        check(open.emplace(id, 0).second, kTarget, "a connection opened twice");
        auto suffix = ":" + std::to_string(endpoints.broker_port);
        check(endpoints.broker.ends_with(suffix), kTarget, "the broker port is not the broker endpoint's");
        check(!endpoints.client.empty(), kTarget, "a connection without a client endpoint");
    }
    bool on_data(ConnectionId id, Direction, std::string_view bytes, Micros) override {
        auto it = open.find(id);
        check(it != open.end(), kTarget, "data for a connection that is not open");
        it->second += bytes.size();
        // Stop reading a connection after a while, as the analyzer does when a stream is not MQTT.
        return it->second < 3000;
    }
    void on_close(ConnectionId id, CloseReason, Micros) override {
        check(open.erase(id) == 1, kTarget, "a close for a connection that is not open");
    }

    std::uint64_t opened = 0;
    std::map<ConnectionId, std::size_t> open;  // bytes seen so far
};

constexpr int kLinkTypes[] = {DLT_EN10MB, DLT_RAW,  DLT_LINUX_SLL, DLT_LINUX_SLL2,
                              DLT_NULL,   DLT_IPV4, DLT_IPV6};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::uint8_t setup = data[0];
    int link_type = kLinkTypes[setup % std::size(kLinkTypes)];
    std::vector<std::uint16_t> ports;
    if (setup & 0x10) ports = {1883, 8883};
    if (setup & 0x20) ports.push_back(8080);

    CheckingHandler handler;
    std::uint64_t frames = 0;
    {
        Reassembler reassembler(handler, ports);
        std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
        Micros now{1'700'000'000'000'000};
        while (rest.size() >= 3) {
            now += std::chrono::seconds(static_cast<std::uint8_t>(rest[0]));
            std::size_t length =
                (static_cast<std::uint8_t>(rest[1]) << 8) | static_cast<std::uint8_t>(rest[2]);
            rest.remove_prefix(3);
            auto frame = rest.substr(0, length);
            rest.remove_prefix(frame.size());
            reassembler.feed(link_type, frame, now);
            ++frames;
        }
        const auto& stats = reassembler.stats();
        check(stats.frames == frames, kTarget, "frames counted are not frames fed");
        check(stats.tcp_segments + stats.skipped <= stats.frames, kTarget, "more segments than frames");
        check(stats.connections == handler.opened, kTarget, "connections counted are not connections opened");
        reassembler.finish(now);
        check(handler.open.empty(), kTarget, "finish() leaves a connection open");
    }
    return 0;
}
