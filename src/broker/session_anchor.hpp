// The stable identity of a session across event loops. Subscriptions and queued deliveries refer to the
// anchor; the Session it names is owned by exactly one loop at a time and moves between loops on takeover.
#pragma once

#include <atomic>
#include <memory>
#include <string>

namespace culex::broker {

class Session;

struct SessionAnchor {
    explicit SessionAnchor(std::string id, int owner_loop) : client_id(std::move(id)), loop(owner_loop) {}

    const std::string client_id;
    // The loop that owns the session. Written only by that loop, when it hands the session to another.
    std::atomic<int> loop;
    // The session itself, or null once it has ended. Read and written only by the owning loop.
    Session* session = nullptr;
    // A connection is attached to the session. Written by the owning loop, read by any loop choosing a
    // member of a shared subscription (a hint: it may change right after it is read).
    std::atomic<bool> online{false};
    // The session keeps its state in the store (persistence on, and it outlives its connection). Written by
    // the owning loop; read by the loops of publishers, which store the messages they route to it (a hint:
    // the owner corrects a wrong guess either way).
    std::atomic<bool> stores{false};
};

using AnchorPtr = std::shared_ptr<SessionAnchor>;

}  // namespace culex::broker
