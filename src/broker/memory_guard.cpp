#include "broker/memory_guard.hpp"

#include <malloc.h>

#include "log/logger.hpp"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CULEX_SANITIZER_ALLOCATOR 1
// The sanitizers allocate outside glibc's arenas: mallinfo2() would see none of it.
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace culex::broker {

using culex::log::logger;
using culex::log::LogType;

std::size_t heap_in_use() {
#ifdef CULEX_SANITIZER_ALLOCATOR
    return __sanitizer_get_current_allocated_bytes();
#else
    // Blocks handed out from the arenas plus those mmap()ed on their own (large payloads).
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
#endif
}

void MemoryGuard::sample() {
    if (!enabled()) return;
    std::size_t now = measure_();
    last_.store(now, std::memory_order_relaxed);
    bool over = now > limit_;
    // exchange: of the loops that see the same crossing, one logs it.
    if (over_.exchange(over, std::memory_order_relaxed) == over) return;
    if (over)
        logger().log(
            LogType::warning,
            "Heap in use is {} bytes, over memory_limit {}: incoming PUBLISHes are dropped and their "
            "clients disconnected, new connections refused, until it falls below.",
            now, limit_);
    else
        logger().log(LogType::notice, "Heap in use is {} bytes, below memory_limit {} again.", now, limit_);
}

}  // namespace culex::broker
