// Why culex bench reads PUBLISHes with peek_publish() rather than protocol::decode(): the cost of each on the
// receive path (a 64-byte QoS 0 PUBLISH, 3.1.1 and 5), with heap allocations per message, and the cost of
// producing one message from the template. Run from a Release build:
//
//   make bench && build/bench/bench_bench_receive_path
#include <benchmark/benchmark.h>

#include <string>

#include "../allocation_counter.hpp"
#include "bench/publish_wire.hpp"
#include "protocol/codec.hpp"

namespace {

using namespace culex;
using protocol::ProtocolVersion;

std::string one_message(ProtocolVersion version) {
    bench::PublishTemplate message("culex-bench/0123abcd/p2p/7", 64, protocol::QoS::at_most_once, version);
    std::string out;
    message.append(out, 0, bench::Stamp{7, 42, 1000});
    return out;
}

void BM_ReceiveDecode(benchmark::State& state, ProtocolVersion version) {
    const std::string wire = one_message(version);
    auto frame = **protocol::next_frame(wire);
    auto before = g_allocations.load();
    for (auto _ : state) {
        auto packet = protocol::decode(frame, version);
        auto stamp = bench::read_stamp(std::get<protocol::Publish>(*packet).payload.view());
        benchmark::DoNotOptimize(stamp);
    }
    report_allocations(state, before);
}
BENCHMARK_CAPTURE(BM_ReceiveDecode, v311, ProtocolVersion::v311);
BENCHMARK_CAPTURE(BM_ReceiveDecode, v5, ProtocolVersion::v5);

void BM_ReceivePeek(benchmark::State& state, ProtocolVersion version) {
    const std::string wire = one_message(version);
    auto frame = **protocol::next_frame(wire);
    auto before = g_allocations.load();
    for (auto _ : state) {
        auto view = bench::peek_publish(frame, version);
        auto stamp = bench::read_stamp(view->payload);
        benchmark::DoNotOptimize(stamp);
    }
    report_allocations(state, before);
}
BENCHMARK_CAPTURE(BM_ReceivePeek, v311, ProtocolVersion::v311);
BENCHMARK_CAPTURE(BM_ReceivePeek, v5, ProtocolVersion::v5);

void BM_SendTemplate(benchmark::State& state) {
    bench::PublishTemplate message("culex-bench/0123abcd/p2p/7", 64, protocol::QoS::at_least_once,
                                   ProtocolVersion::v311);
    std::string out;
    out.reserve(64 * 1024);
    std::uint64_t sequence = 0;
    auto before = g_allocations.load();
    for (auto _ : state) {
        if (out.size() + message.size() > out.capacity()) out.clear();
        message.append(out, static_cast<std::uint16_t>(sequence | 1), bench::Stamp{7, sequence, 1000});
        ++sequence;
    }
    benchmark::DoNotOptimize(out.data());
    report_allocations(state, before);
}
BENCHMARK(BM_SendTemplate);

}  // namespace
