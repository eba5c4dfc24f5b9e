// The sessions one loop owns, for the loop to walk (expiry, shutdown, password reloads). They are found by
// client id through the SessionRegistry's anchors, so no map is kept here: a slot of 8 bytes per session,
// and each session knows its slot, so that one leaves in constant time.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "broker/session.hpp"

namespace culex::broker {

class SessionList {
  public:
    Session& add(std::unique_ptr<Session> session) {
        session->list_slot_ = static_cast<std::uint32_t>(sessions_.size());
        sessions_.push_back(std::move(session));
        return *sessions_.back();
    }
    // Takes `session` out of the list, handing over its ownership. The last session moves into its slot.
    std::unique_ptr<Session> take(Session& session) {
        std::uint32_t slot = session.list_slot_;
        std::unique_ptr<Session> taken = std::move(sessions_[slot]);
        if (slot + 1 != sessions_.size()) {
            sessions_[slot] = std::move(sessions_.back());
            sessions_[slot]->list_slot_ = slot;
        }
        sessions_.pop_back();
        return taken;
    }
    std::size_t size() const { return sessions_.size(); }
    // No session may be added or taken while the list is walked.
    auto begin() { return sessions_.begin(); }
    auto end() { return sessions_.end(); }

  private:
    std::vector<std::unique_ptr<Session>> sessions_;
};

}  // namespace culex::broker
