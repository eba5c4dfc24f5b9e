// The broker's side of one network connection: where it is in the CONNECT handshake and which session it
// drives. Created by net for each accepted connection, used only on that connection's loop.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "broker/client_link.hpp"
#include "protocol/packets.hpp"

namespace culex::broker {

class Session;

struct Client {
    explicit Client(ClientLink& l) : link(&l) {}

    enum class State {
        awaiting_connect,  // nothing received yet
        connecting,        // CONNECT accepted, waiting for its session (another loop may be handing it over)
        connected,
        closed,
    };

    ClientLink* link;  // null once closed
    State state = State::awaiting_connect;
    Session* session = nullptr;
    std::string client_id;  // known from CONNECT on; logs say "<unknown>" before
    protocol::ProtocolVersion version = protocol::ProtocolVersion::v311;
    std::optional<protocol::Connect> connect;  // kept while connecting

    const std::string& log_id() const {
        static const std::string kUnknown = "<unknown>";
        return client_id.empty() ? kUnknown : client_id;
    }
};

using ClientPtr = std::shared_ptr<Client>;

}  // namespace culex::broker
