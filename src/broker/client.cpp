#include "broker/client.hpp"

#include "broker/packet_log.hpp"

namespace culex::broker {

void Client::send(const protocol::Packet& packet) {
    if (!link) return;
    log_sending(log_id(), packet, version);
    link->send(packet);
}

}  // namespace culex::broker
