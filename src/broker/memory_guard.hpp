// memory_limit (mosquitto.conf): a ceiling on the heap the broker holds. Mosquitto counts every allocation;
// culex samples the allocator instead (glibc's mallinfo2, or the sanitizer's count under AddressSanitizer),
// each loop once a second and after every sample_every() bytes of PUBLISH it takes in, and keeps one
// broker-wide flag: over the limit or not. While it is set, incoming PUBLISHes are dropped with their client
// disconnected and new connections are refused (docs/security.md), so that nothing new is held until the heap
// falls below the limit again. Reading the flag is one relaxed atomic load: the QoS 0 path pays nothing more.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>

namespace culex::broker {

// Bytes of heap in use now, as the allocator counts them.
std::size_t heap_in_use();

class MemoryGuard {
  public:
    // `limit` 0: no limit, nothing is sampled.
    explicit MemoryGuard(std::size_t limit) : limit_(limit) {}

    bool enabled() const { return limit_ != 0; }
    std::size_t limit() const { return limit_; }
    bool over() const { return over_.load(std::memory_order_relaxed); }
    // The heap in use at the last sample.
    std::size_t last_sample() const { return last_.load(std::memory_order_relaxed); }
    // PUBLISH bytes (topic and payload) a loop takes in between two samples: a 32nd of the limit, so that
    // the loops together overshoot it by little between samples, and at least 64 KiB, so that sampling (which
    // walks the allocator's free lists) stays rare next to the traffic.
    std::size_t sample_every() const { return limit_ / 32 > kMinSampleEvery ? limit_ / 32 : kMinSampleEvery; }

    // Measures the heap and sets over(); the first loop to see it cross the limit, either way, logs it.
    void sample();
    // Tests: what sample() measures instead of the allocator.
    void measure_with(std::function<std::size_t()> measure) { measure_ = std::move(measure); }

  private:
    static constexpr std::size_t kMinSampleEvery = 64 * 1024;
    const std::size_t limit_;
    std::atomic<bool> over_{false};
    std::atomic<std::size_t> last_{0};
    std::function<std::size_t()> measure_ = heap_in_use;
};

}  // namespace culex::broker
