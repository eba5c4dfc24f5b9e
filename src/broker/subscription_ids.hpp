// The MQTT 5 Subscription Identifiers that one delivery carries: one per matching subscription that has
// one (spec 3.3.4). Stored inline, so that routing allocates nothing; a session whose matching subscriptions
// carry more identifiers than fit gets further copies of the message (which the spec also allows).
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace culex::broker {

class SubscriptionIds {
  public:
    static constexpr std::size_t kCapacity = 4;

    SubscriptionIds() = default;
    // Implicit, so that a single identifier (0: none) reads naturally where one is passed.
    SubscriptionIds(std::uint32_t id) { add(id); }  // NOLINT(google-explicit-constructor)

    // Adds `id` (0 means none and is ignored); false when there is no room left.
    bool add(std::uint32_t id) {
        if (id == 0) return true;
        for (std::size_t i = 0; i < count_; ++i)
            if (ids_[i] == id) return true;
        if (count_ == kCapacity) return false;
        ids_[count_++] = id;
        return true;
    }
    bool full() const { return count_ == kCapacity; }
    bool empty() const { return count_ == 0; }
    std::span<const std::uint32_t> span() const { return {ids_.data(), count_}; }

  private:
    std::array<std::uint32_t, kCapacity> ids_{};
    std::uint8_t count_ = 0;
};

}  // namespace culex::broker
