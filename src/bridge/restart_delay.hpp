// How long a bridge waits before it reconnects (restart_timeout): a constant, or Mosquitto's "Decorrelated
// Jitter" backoff from BASE up to CAP, so that many bridges cut off together do not all come back in step.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

namespace culex::bridge {

class RestartDelay {
  public:
    // `cap` unset: always `base`.
    RestartDelay(std::chrono::seconds base, std::optional<std::chrono::seconds> cap);

    // The wait before the next attempt; each call after a failure grows it (with jitter) up to the cap.
    std::chrono::milliseconds next();
    // The link came up: the next outage starts from the base again.
    void reset() { previous_ = base_; }

  private:
    std::chrono::milliseconds base_;
    std::optional<std::chrono::milliseconds> cap_;
    std::chrono::milliseconds previous_;
    std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace culex::bridge
