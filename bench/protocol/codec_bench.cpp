// Microbenchmarks of the codec's hot path: a 64-byte QoS 0 PUBLISH decoded and encoded for 3.1.1 and 5,
// next_frame over a stream of them, and topic_matches. Run from a Release build:
//   build/bench/bench_protocol --benchmark_min_time=1
// The "allocs" counter counts heap allocations per operation (operator new is replaced in this binary).
#include <benchmark/benchmark.h>

#include <string>

#include "../allocation_counter.hpp"
#include "protocol/codec.hpp"
#include "protocol/topic.hpp"

namespace {

using namespace culex::protocol;

// A QoS 0 PUBLISH of exactly 64 bytes on the wire: 2 bytes of fixed header, 2+20 of topic, (1 byte of empty
// properties for MQTT 5), and the payload making up the rest.
Publish publish_64(ProtocolVersion version) {
    std::string topic = "sensors/lab/temp/042";  // 20 bytes: longer than std::string's small buffer
    std::size_t payload = 64 - 2 - 2 - topic.size() - (version == ProtocolVersion::v5 ? 1 : 0);
    return Publish{topic, Payload(std::string(payload, 'p')), QoS::at_most_once, false, false, 0, {}};
}

std::string wire_of(const Publish& publish, ProtocolVersion version) {
    std::string out;
    encode(publish, version, out);
    return out;
}

void BM_DecodePublish(benchmark::State& state, ProtocolVersion version) {
    const std::string wire = wire_of(publish_64(version), version);
    if (wire.size() != 64) state.SkipWithError("fixture is not 64 bytes");
    auto frame = **next_frame(wire);
    auto before = g_allocations.load();
    for (auto _ : state) {
        auto packet = decode(frame, version);
        benchmark::DoNotOptimize(packet);
    }
    report_allocations(state, before);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}
BENCHMARK_CAPTURE(BM_DecodePublish, v311, ProtocolVersion::v311);
BENCHMARK_CAPTURE(BM_DecodePublish, v5, ProtocolVersion::v5);

void BM_EncodePublish(benchmark::State& state, ProtocolVersion version) {
    const Publish publish = publish_64(version);
    std::string out;
    out.reserve(256);
    auto before = g_allocations.load();
    for (auto _ : state) {
        out.clear();  // a connection's output buffer is reused turn after turn
        encode(publish, version, out);
        benchmark::DoNotOptimize(out.data());
    }
    report_allocations(state, before);
    if (out.size() != 64) state.SkipWithError("encoding is not 64 bytes");
}
BENCHMARK_CAPTURE(BM_EncodePublish, v311, ProtocolVersion::v311);
BENCHMARK_CAPTURE(BM_EncodePublish, v5, ProtocolVersion::v5);

// Through the Packet variant, as a broker holding a generic Packet would call it.
void BM_EncodePublishAsPacket(benchmark::State& state) {
    const Packet packet = publish_64(ProtocolVersion::v5);
    std::string out;
    out.reserve(256);
    for (auto _ : state) {
        out.clear();
        encode(packet, ProtocolVersion::v5, out);
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(BM_EncodePublishAsPacket);

// Splitting a 64 KiB read buffer full of 64-byte PUBLISHes; the figure is per frame.
void BM_NextFrame(benchmark::State& state) {
    const std::string one = wire_of(publish_64(ProtocolVersion::v311), ProtocolVersion::v311);
    std::string stream;
    while (stream.size() + one.size() <= 65'536)
        stream += one;
    std::size_t frames = 0;
    for (auto _ : state) {
        std::string_view rest = stream;
        while (true) {
            auto frame = next_frame(rest);
            if (!frame || !*frame) break;
            rest.remove_prefix((*frame)->size);
            ++frames;
        }
        benchmark::DoNotOptimize(rest);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(frames));
    state.counters["ns_per_frame"] = benchmark::Counter(
        static_cast<double>(frames), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_NextFrame);

// Decode of a whole stream, as a connection does: next_frame then decode for each packet.
void BM_NextFrameAndDecode(benchmark::State& state) {
    const std::string one = wire_of(publish_64(ProtocolVersion::v5), ProtocolVersion::v5);
    auto before = g_allocations.load();
    for (auto _ : state) {
        auto frame = next_frame(one);
        auto packet = decode(**frame, ProtocolVersion::v5);
        benchmark::DoNotOptimize(packet);
    }
    report_allocations(state, before);
}
BENCHMARK(BM_NextFrameAndDecode);

void BM_TopicMatches(benchmark::State& state, const char* filter, const char* topic, bool expected) {
    std::string_view f = filter, t = topic;
    if (topic_matches(f, t) != expected) state.SkipWithError("unexpected match result");
    for (auto _ : state) {
        benchmark::DoNotOptimize(f);
        benchmark::DoNotOptimize(t);
        bool m = topic_matches(f, t);
        benchmark::DoNotOptimize(m);
    }
}
BENCHMARK_CAPTURE(BM_TopicMatches, exact, "sensors/lab/temp/042", "sensors/lab/temp/042", true);
BENCHMARK_CAPTURE(BM_TopicMatches, plus, "sensors/+/temp/+", "sensors/lab/temp/042", true);
BENCHMARK_CAPTURE(BM_TopicMatches, hash, "sensors/#", "sensors/lab/temp/042", true);
BENCHMARK_CAPTURE(BM_TopicMatches, miss_first_level, "actuators/#", "sensors/lab/temp/042", false);
BENCHMARK_CAPTURE(BM_TopicMatches, miss_last_level, "sensors/lab/temp/043", "sensors/lab/temp/042", false);
BENCHMARK_CAPTURE(BM_TopicMatches, dollar, "#", "$SYS/broker/load/messages/received/1min", false);

}  // namespace
