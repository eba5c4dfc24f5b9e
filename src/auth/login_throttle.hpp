// Slowing down online password guessing: each failed login from a client address raises that address's score
// by one; the score halves every `half_life` without failures. Past `free_failures` (room for typos) every
// login attempt from the address waits a delay that doubles with each further failure, up to `max_delay`.
// Attempts made in parallel from one address queue behind each other, so opening many connections at once
// buys nothing. IPv6 addresses count per /64, the block one host usually holds.
//
// Pure logic with an injectable clock: the broker asks admit() when a CONNECT with credentials arrives, holds
// the connection (on a timer, not a sleep) for the delay it returns, then checks the password and reports a
// failure with record_failure(). Thread-safe: one throttle can serve every event loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "auth/string_map.hpp"

namespace culex::auth {

struct ThrottleSettings {
    bool enabled = true;
    double free_failures = 3;                     // failures that cost nothing
    std::chrono::milliseconds first_delay{1000};  // the delay after the first failure past the free ones
    std::chrono::milliseconds max_delay{60'000};
    std::chrono::seconds half_life{600};
    std::size_t max_addresses =
        10'000;  // memory bound: beyond it the least suspicious addresses are forgotten
};

class LoginThrottle {
  public:
    using Clock = std::chrono::steady_clock;
    using Now = std::function<Clock::time_point()>;

    explicit LoginThrottle(ThrottleSettings settings = {}, Now now = &Clock::now);

    // A login attempt from `address` (an IP address as text, without port) arrives: how long to hold it
    // before checking its password. Reserves that slot, so the next attempt from the address waits behind
    // this one.
    std::chrono::milliseconds admit(std::string_view address);

    // The attempt failed (wrong password, unknown user).
    void record_failure(std::string_view address);

    // What admit() would answer now, without reserving anything: for logs and tests.
    std::chrono::milliseconds current_delay(std::string_view address) const;

    std::uint64_t total_failures() const;
    std::size_t tracked_addresses() const;

    // The key addresses are counted under: IPv4 as is (also when IPv4-mapped), IPv6 by its /64 prefix.
    static std::string address_key(std::string_view address);

  private:
    struct Entry {
        double score = 0;
        Clock::time_point scored_at;
        Clock::time_point next_slot;  // attempts wait until then
    };

    double decayed_score(const Entry& entry, Clock::time_point now) const;
    std::chrono::milliseconds delay_for(double score) const;
    Entry& entry_for(const std::string& key, Clock::time_point now);
    void make_room(Clock::time_point now);

    ThrottleSettings settings_;
    Now now_;
    mutable std::mutex mutex_;
    StringMap<Entry> entries_;
    std::uint64_t total_failures_ = 0;
};

}  // namespace culex::auth
