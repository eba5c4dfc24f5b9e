#include "bench/stamp.hpp"

#include <cstring>
#include <ctime>

namespace culex::bench {

void write_stamp(char* out, const Stamp& stamp) {
    std::memcpy(out, &kStampMagic, 4);
    std::memcpy(out + 4, &stamp.publisher, 4);
    std::memcpy(out + 8, &stamp.sequence, 8);
    std::memcpy(out + 16, &stamp.sent_ns, 8);
}

std::optional<Stamp> read_stamp(std::string_view payload) {
    if (payload.size() < kStampSize) return std::nullopt;
    std::uint32_t magic = 0;
    std::memcpy(&magic, payload.data(), 4);
    if (magic != kStampMagic) return std::nullopt;
    Stamp stamp;
    std::memcpy(&stamp.publisher, payload.data() + 4, 4);
    std::memcpy(&stamp.sequence, payload.data() + 8, 8);
    std::memcpy(&stamp.sent_ns, payload.data() + 16, 8);
    return stamp;
}

std::int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace culex::bench
