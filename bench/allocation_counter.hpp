// Counts the heap allocations of a Google Benchmark program: replaces the global operator new and delete, so
// include it in exactly one file of each benchmark executable. report_allocations() puts the count per
// iteration into the "allocs" counter, which is how the benchmarks show that a hot path allocates nothing.
#pragma once

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

inline std::atomic<std::uint64_t> g_allocations{0};

// Counting allocations is the point: GCC sees free() on memory from operator new once these inline into each
// other and warns; here that pairing is the intent.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}

// Allocations since `before`, per iteration of `state`.
inline void report_allocations(benchmark::State& state, std::uint64_t before) {
    state.counters["allocs"] = benchmark::Counter(static_cast<double>(g_allocations.load() - before),
                                                  benchmark::Counter::kAvgIterations);
}
