// A value that readers take a reference-counted snapshot of while a writer may replace it (a listener's TLS
// context, a listener's access policy: replaced on SIGHUP, read for each new connection).
//
// Why not std::atomic<std::shared_ptr>: GCC 12's libstdc++ releases the lock inside it with relaxed order
// after a load, so ThreadSanitizer (rightly, by the memory model) reports the next store as a data race with
// that load; CI's tsan-test did. A mutex costs nothing at this rate: it is taken once per connection or
// reload.
#pragma once

#include <memory>
#include <mutex>
#include <utility>

namespace culex {

template <typename T>
class SharedSnapshot {
  public:
    SharedSnapshot() = default;
    explicit SharedSnapshot(std::shared_ptr<const T> value) : value_(std::move(value)) {}

    std::shared_ptr<const T> load() const {
        std::lock_guard lock(mutex_);
        return value_;
    }
    void store(std::shared_ptr<const T> value) {
        std::shared_ptr<const T> old;  // destroyed after the lock is released
        std::lock_guard lock(mutex_);
        old = std::exchange(value_, std::move(value));
    }

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const T> value_;
};

}  // namespace culex
