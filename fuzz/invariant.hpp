// What every fuzz target shares: a broken invariant aborts (libFuzzer then keeps the input as a crash), and
// a fuzzer-chosen way to cut a byte stream into chunks, for targets that must give the same result however
// their input arrives.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace culex::fuzz {

[[noreturn]] inline void fail(const char* target, const char* what) {
    std::fprintf(stderr, "%s: invariant broken: %s\n", target, what);
    std::abort();
}

inline void check(bool condition, const char* target, const char* what) {
    if (!condition) fail(target, what);
}

// `stream` cut into pieces whose sizes come from `seed` (1 to 16 bytes each, cycling through the seed's
// bytes); the pieces cover the stream exactly, in order.
inline std::vector<std::string_view> chunks(std::string_view stream, std::string_view seed) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (!stream.empty()) {
        std::size_t size = 1;
        if (!seed.empty()) size = 1 + (static_cast<std::uint8_t>(seed[i++ % seed.size()]) % 16);
        if (size > stream.size()) size = stream.size();
        out.push_back(stream.substr(0, size));
        stream.remove_prefix(size);
    }
    return out;
}

}  // namespace culex::fuzz
