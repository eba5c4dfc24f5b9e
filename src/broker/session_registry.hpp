// Client id -> session anchor, for every session on every loop. Touched on CONNECT and when a session ends,
// never per message.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <mutex>
#include <string>
#include <string_view>

#include "broker/session_anchor.hpp"

namespace culex::broker {

class SessionRegistry {
  public:
    // The anchor registered for `client_id`, or a new one owned by `loop` (then `created` is true).
    AnchorPtr find_or_create(const std::string& client_id, int loop, bool& created) {
        std::lock_guard lock(mutex_);
        auto it = anchors_.find(client_id);
        created = it == anchors_.end();
        if (!created) return it->second;
        auto anchor = std::make_shared<SessionAnchor>(client_id, loop);
        anchors_.emplace(anchor->client_id, anchor);  // the key views the anchor's own copy of the id
        return anchor;
    }
    // The anchor registered for `client_id`, or null.
    AnchorPtr find(const std::string& client_id) const {
        std::lock_guard lock(mutex_);
        auto it = anchors_.find(std::string_view(client_id));
        return it == anchors_.end() ? nullptr : it->second;
    }
    // Forgets the client id, if it still names this anchor.
    void erase(const SessionAnchor* anchor) {
        std::lock_guard lock(mutex_);
        auto it = anchors_.find(anchor->client_id);
        if (it != anchors_.end() && it->second.get() == anchor) anchors_.erase(it);
    }
    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return anchors_.size();
    }

  private:
    mutable std::mutex mutex_;
    // Keyed by a view of the anchor's client id, which lives as long as the entry: ids can be long (UUIDs),
    // and every connected client has an entry. Open addressing: no node allocation per entry.
    boost::unordered_flat_map<std::string_view, AnchorPtr> anchors_;
};

}  // namespace culex::broker
