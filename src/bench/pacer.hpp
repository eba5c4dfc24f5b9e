// A publisher's schedule at a fixed rate (-r). The run's rate is split evenly over its P publishers, and
// publisher k is offset by k slots of the run's rate, so that the broker sees one message every 1/rate
// seconds rather than P at once every P/rate. A publisher that fell behind (its loop was descheduled, or its
// window was full) sends what became due within the catch-up horizon and skips older slots: sending all of
// them at once would put a burst into the broker and measure its queue, not its latency. Skipped slots are
// counted and reported, so a generator that could not keep the rate says so.
#pragma once

#include <cstdint>

namespace culex::bench {

class Pacer {
  public:
    static constexpr std::int64_t kCatchUpNs = 1'000'000;

    // `rate`: messages per second of the whole run (> 0); `publishers`: how many share it; `index`: this one.
    Pacer(double rate, unsigned publishers, unsigned index);

    // The schedule begins at `start_ns` (the run's first instant, shared by every publisher).
    void start(std::int64_t start_ns);
    bool started() const { return started_; }

    // How many slots are due at `now`: skips those older than the catch-up horizon first (see skipped()).
    std::uint64_t due(std::int64_t now);
    // `count` messages were sent: their slots are used.
    void consume(std::uint64_t count) { slot_ += count; }

    std::int64_t next_ns() const { return at(slot_); }  // when the next slot is due
    std::uint64_t skipped() const { return skipped_; }
    std::int64_t interval_ns() const { return static_cast<std::int64_t>(interval_); }

  private:
    std::int64_t at(std::uint64_t slot) const;

    double interval_;  // ns between two slots of this publisher
    double offset_;    // ns from the start to this publisher's first slot
    std::int64_t start_ns_ = 0;
    bool started_ = false;
    std::uint64_t slot_ = 0;
    std::uint64_t skipped_ = 0;
};

}  // namespace culex::bench
