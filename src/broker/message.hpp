// A published application message as the broker keeps it: decoded once, immutable, shared by every queue and
// every subscriber it goes to.
#pragma once

#include <memory>

#include "protocol/packets.hpp"

namespace culex::broker {

// topic, payload, QoS, retain and properties of the PUBLISH as received (packet_id and dup are meaningless
// here).
using MessagePtr = std::shared_ptr<const protocol::Publish>;

}  // namespace culex::broker
