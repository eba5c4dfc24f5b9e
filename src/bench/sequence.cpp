#include "bench/sequence.hpp"

#include <cstring>

namespace culex::bench {

bool SequenceTracker::test_and_set(std::uint64_t sequence) {
    std::uint64_t slot = sequence % kWindow;
    std::uint64_t mask = std::uint64_t{1} << (slot % 64);
    std::uint64_t& word = bits_[slot / 64];
    bool was = (word & mask) != 0;
    word |= mask;
    return was;
}

void SequenceTracker::clear(std::uint64_t sequence) {
    std::uint64_t slot = sequence % kWindow;
    bits_[slot / 64] &= ~(std::uint64_t{1} << (slot % 64));
}

bool SequenceTracker::record(std::uint64_t sequence) {
    if (!bits_) {
        bits_ = std::make_unique<std::uint64_t[]>(kWindow / 64);  // zeroed
        highest_ = sequence;
        test_and_set(sequence);
        ++unique_;
        return true;
    }
    if (sequence > highest_) {
        // The slots between the old highest and this one now stand for numbers a window later: forget them.
        if (sequence - highest_ >= kWindow) {
            std::memset(bits_.get(), 0, kWindow / 8);
        } else {
            for (std::uint64_t s = highest_ + 1; s < sequence; ++s)
                clear(s);
            clear(sequence);
        }
        highest_ = sequence;
        test_and_set(sequence);
        ++unique_;
        return true;
    }
    if (highest_ - sequence >= kWindow) {
        ++too_late_;
        ++unique_;
        return true;
    }
    if (test_and_set(sequence)) {
        ++duplicates_;
        return false;
    }
    ++unique_;
    return true;
}

}  // namespace culex::bench
