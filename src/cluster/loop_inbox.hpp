// What libnats's delivery thread hands one event loop: the frames of messages from other nodes, each with its
// subject and, for a queue copy, the shared group of the member that gets it, kept as bytes until the loop
// takes them all at once (a message's allocations then happen and end on the loop's thread, and a burst
// costs one cross-loop post). Bounded: past kLimit bytes waiting, frames are refused (the caller drops them
// and says so), so that a loop that falls behind cannot make the node hold memory without bound; messages
// between nodes are at most once anyway (NATS core). Thread-safe; no NATS here (unit-tested alone).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace culex::cluster {

class LoopInbox {
  public:
    // What may wait for one loop; a single frame larger than this is still taken when nothing waits.
    static constexpr std::size_t kLimit = 64 << 20;

    enum class Put {
        queued,        // a drain is already due: nothing more to do
        queued_first,  // the first since the last take(): the caller posts the loop's drain
        full,          // refused: kLimit bytes wait already
    };
    Put put(std::string_view subject, std::string_view group, std::string_view frame);

    struct Entry {
        std::string_view subject;
        std::string_view group;
        std::string_view frame;
    };
    // On the loop: takes everything waiting; `each` is called for every entry in the order they were put.
    template <typename Each>
    void take(Each each) {
        swap_out();
        std::string_view rest = draining_;
        while (!rest.empty())
            each(next(rest));
        release();
    }

    // Frames refused since the start (any thread).
    std::uint64_t refused() const;

  private:
    void swap_out();
    void release();
    static Entry next(std::string_view& rest);

    mutable std::mutex mutex_;
    std::string pending_;     // under mutex_: three lengths, then subject, group and frame, per entry
    bool scheduled_ = false;  // under mutex_: a drain is due and has not taken `pending_`
    std::uint64_t refused_ = 0;
    std::string draining_;  // the loop's own, during take()
};

}  // namespace culex::cluster
