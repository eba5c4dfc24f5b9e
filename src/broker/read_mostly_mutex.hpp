// A reader-writer lock for data read on every PUBLISH by every loop and written rarely (the subscription
// tree). std::shared_mutex keeps one reader count that every reader increments and decrements: with loops on
// several cores that cache line moves between cores on every message. Here each thread reads under a mutex
// of its own slot, which stays in its core's cache; a writer takes every slot.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <mutex>

namespace culex::broker {

class ReadMostlyMutex {
  public:
    void lock_shared() { own_slot().mutex.lock(); }
    void unlock_shared() { own_slot().mutex.unlock(); }
    void lock() {
        for (auto& slot : slots_)
            slot.mutex.lock();
    }
    void unlock() {
        for (auto& slot : slots_)
            slot.mutex.unlock();
    }

  private:
    static constexpr std::size_t kSlots = 16;  // threads beyond 16 share slots: correct, a little slower
    struct alignas(64) Slot {
        std::mutex mutex;
    };

    Slot& own_slot() {
        static std::atomic<std::size_t> next{0};
        thread_local std::size_t index = next.fetch_add(1, std::memory_order_relaxed) % kSlots;
        return slots_[index];
    }

    std::array<Slot, kSlots> slots_;
};

}  // namespace culex::broker
