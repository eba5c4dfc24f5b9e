// What a connection has gathered to send and the socket has not taken yet: its own bytes (control packets,
// PUBLISH headers, small payloads) in one buffer, and the payloads it shares with every other subscriber of
// the same message, held by reference. A large payload is never copied per subscriber: the kernel reads it
// from the one shared buffer, through a gathered write (sendmsg with an iovec per piece).
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "net/loop_shared.hpp"

namespace culex::net {

class OutputQueue {
  public:
    // Appended to directly (the encoder writes into it); what is appended goes out after what is queued.
    std::string& own() { return own_; }
    // Queues a reference to `payload`, after the bytes own() holds so far.
    void share(const LoopShared& payload);

    std::size_t unsent() const { return own_.size() - own_sent_ + (shared_ ? shared_->unsent : 0); }
    bool empty() const { return unsent() == 0; }

    // Fills `iov` with the unsent pieces, in order, as many as fit; returns how many it filled.
    std::size_t gather(std::span<iovec> iov) const;
    // The socket took `bytes` more: what is wholly sent is let go (a shared payload's reference too).
    void consume(std::size_t bytes);
    // Appends everything unsent to `out` as one run of bytes (TLS and WebSockets write one buffer per batch,
    // so that a batch is one TLS write, not one per message), and empties the queue.
    void move_to(std::string& out);
    // Everything is sent, or the connection is gone: forget it all.
    void clear();
    // While the socket is full: drops the part already sent once it is the bigger half of a large buffer, so
    // that a client that reads as fast as it is sent to never makes the buffer grow without bound.
    void compact(std::size_t keep_at_most);
    // Gives back a buffer a big message grew, once the queue is empty.
    void shrink(std::size_t keep_at_most);

  private:
    // A shared payload that follows own_'s bytes up to `own_end`.
    struct Shared {
        std::size_t own_end;
        LoopShared payload;
    };
    // The shared payloads and where sending them stands: made by the first share(), so that a connection
    // that never got a large payload (most, and every idle one) carries one pointer for it, not 56 bytes.
    struct SharedPart {
        std::vector<Shared> pieces;
        std::size_t next = 0;    // the first piece not wholly sent
        std::size_t sent = 0;    // bytes of that piece's payload the socket has taken
        std::size_t unsent = 0;  // bytes of shared payloads not sent yet
    };

    std::string own_;
    std::size_t own_sent_ = 0;  // bytes of own_ the socket has taken
    std::unique_ptr<SharedPart> shared_;
};

}  // namespace culex::net
