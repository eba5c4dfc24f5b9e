// Which sequence numbers of one publisher arrived at one subscriber (or, for a shared subscription, at one
// member of the group): counts first arrivals and duplicates while tolerating reordering within a window of
// 65,536 numbers (8 KiB, allocated on the first message). The run's loss is then sent minus unique arrivals.
#pragma once

#include <cstdint>
#include <memory>

namespace culex::bench {

class SequenceTracker {
  public:
    // True the first time `sequence` is seen, false for a duplicate.
    bool record(std::uint64_t sequence);

    std::uint64_t unique() const { return unique_; }
    std::uint64_t duplicates() const { return duplicates_; }
    // Arrivals older than the window: counted as unique, since whether they were seen is forgotten.
    std::uint64_t too_late() const { return too_late_; }

    static constexpr std::uint64_t kWindow = 1u << 16;

  private:
    bool test_and_set(std::uint64_t sequence);
    void clear(std::uint64_t sequence);

    std::unique_ptr<std::uint64_t[]> bits_;
    std::uint64_t highest_ = 0;
    std::uint64_t unique_ = 0;
    std::uint64_t duplicates_ = 0;
    std::uint64_t too_late_ = 0;
};

}  // namespace culex::bench
