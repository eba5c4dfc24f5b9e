// Operations of one commit round that cancel out, left out before the store sees them. Under load, a QoS 1
// message to an online persistent session is queued (the publisher's loop), moved to in flight (the
// subscriber's loop), acknowledged and removed, often all while the previous commit is still being written:
// within one round, applying none of that leaves the store as applying all of it would, for no writes.
#pragma once

#include <cstddef>
#include <span>

#include "store/batch.hpp"

namespace culex::store {

// In the round's batches (in commit order), removes:
// - an Enqueue and a later Dequeue of exactly its sequence (sequences are never reused, so no row of that key
//   existed before the round);
// - a PutInflight followed by a DeleteInflight of the same key: the puts go; the delete goes too when the
// first
//   put starts an exchange (publish_sent, received_not_released: the broker reuses a packet id only after its
//   record is deleted, so no row of that key existed before), else it stays (e.g. "PUBLISH sent" committed
//   earlier, "PUBREC received" and the PUBCOMP's delete in this round).
// A DeleteSession in between ends the pairing for that client. Returns how many operations were removed.
std::size_t cancel_out(std::span<Batch* const> round);

}  // namespace culex::store
