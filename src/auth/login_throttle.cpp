#include "auth/login_throttle.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>

namespace culex::auth {

namespace {

// Below this an address has been quiet for many half-lives: nothing is lost by forgetting it.
constexpr double kForgettable = 0.01;

}  // namespace

LoginThrottle::LoginThrottle(ThrottleSettings settings, Now now)
    : settings_(settings), now_(std::move(now)) {}

std::string LoginThrottle::address_key(std::string_view address) {
    std::string text(address);
    in6_addr v6{};
    if (::inet_pton(AF_INET6, text.c_str(), &v6) != 1) return text;  // IPv4, or not an address: as given
    const auto* bytes = v6.s6_addr;
    bool v4_mapped = std::all_of(bytes, bytes + 10, [](std::uint8_t b) { return b == 0; }) &&
                     bytes[10] == 0xFF && bytes[11] == 0xFF;
    char buffer[INET6_ADDRSTRLEN] = {};
    if (v4_mapped) {
        ::inet_ntop(AF_INET, bytes + 12, buffer, sizeof buffer);
        return buffer;
    }
    std::fill(v6.s6_addr + 8, v6.s6_addr + 16, 0);
    ::inet_ntop(AF_INET6, &v6, buffer, sizeof buffer);
    return std::string(buffer) + "/64";
}

double LoginThrottle::decayed_score(const Entry& entry, Clock::time_point now) const {
    if (now <= entry.scored_at) return entry.score;
    double elapsed = std::chrono::duration<double>(now - entry.scored_at).count();
    double half_life = std::max(1.0, static_cast<double>(settings_.half_life.count()));
    return entry.score * std::exp2(-elapsed / half_life);
}

std::chrono::milliseconds LoginThrottle::delay_for(double score) const {
    double excess = score - settings_.free_failures;
    if (!settings_.enabled || excess <= 0) return std::chrono::milliseconds(0);
    // Whole steps: a score that has decayed from 5.0 to 4.2 still counts as 5 failures' worth.
    double steps = std::ceil(excess - 1e-9) - 1;
    double delay = static_cast<double>(settings_.first_delay.count()) * std::exp2(std::min(steps, 62.0));
    double cap = static_cast<double>(settings_.max_delay.count());
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(delay, cap)));
}

void LoginThrottle::make_room(Clock::time_point now) {
    if (entries_.size() < settings_.max_addresses) return;
    std::erase_if(entries_, [&](const auto& item) {
        return decayed_score(item.second, now) < kForgettable && item.second.next_slot <= now;
    });
    if (entries_.size() < settings_.max_addresses || entries_.empty()) return;
    auto least = std::min_element(entries_.begin(), entries_.end(), [&](const auto& a, const auto& b) {
        return decayed_score(a.second, now) < decayed_score(b.second, now);
    });
    entries_.erase(least);
}

LoginThrottle::Entry& LoginThrottle::entry_for(const std::string& key, Clock::time_point now) {
    if (auto it = entries_.find(key); it != entries_.end()) return it->second;
    make_room(now);
    return entries_.emplace(key, Entry{0, now, now}).first->second;
}

std::chrono::milliseconds LoginThrottle::admit(std::string_view address) {
    if (!settings_.enabled) return std::chrono::milliseconds(0);
    auto key = address_key(address);
    std::lock_guard lock(mutex_);
    auto now = now_();
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::chrono::milliseconds(0);  // no failures: nothing to remember
    Entry& entry = it->second;
    auto delay = delay_for(decayed_score(entry, now));
    auto start = std::max(now, entry.next_slot);
    entry.next_slot = start + delay;
    return std::chrono::ceil<std::chrono::milliseconds>(entry.next_slot - now);
}

void LoginThrottle::record_failure(std::string_view address) {
    auto key = address_key(address);
    std::lock_guard lock(mutex_);
    ++total_failures_;
    if (!settings_.enabled) return;
    auto now = now_();
    Entry& entry = entry_for(key, now);
    entry.score = decayed_score(entry, now) + 1;
    entry.scored_at = now;
}

std::chrono::milliseconds LoginThrottle::current_delay(std::string_view address) const {
    auto key = address_key(address);
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::chrono::milliseconds(0);
    auto now = now_();
    auto queued = it->second.next_slot > now
                      ? std::chrono::ceil<std::chrono::milliseconds>(it->second.next_slot - now)
                      : std::chrono::milliseconds(0);
    return queued + delay_for(decayed_score(it->second, now));
}

std::uint64_t LoginThrottle::total_failures() const {
    std::lock_guard lock(mutex_);
    return total_failures_;
}

std::size_t LoginThrottle::tracked_addresses() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace culex::auth
