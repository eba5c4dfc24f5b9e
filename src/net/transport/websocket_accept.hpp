// Accepting MQTT over WebSockets (`protocol websockets` listeners): the HTTP upgrade on top of a TCP or TLS
// transport, bounded in time, answering with the "mqtt" subprotocol; then a Transport that carries MQTT bytes
// in binary frames (a packet may span frames, a frame may hold several packets). Beast stays in the .cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "net/transport/transport.hpp"

namespace culex::net {

using WebSocketAccepted = std::function<void(std::unique_ptr<Transport>)>;

// Calls `on_accepted` after a good upgrade, else `on_failed` (after logging why). `port`: the listener's, for
// the log line; `header_limit`: the most bytes the request's line and headers may take
// (websockets_headers_size).
void accept_websocket(std::unique_ptr<Transport> transport, std::uint16_t port, std::chrono::seconds timeout,
                      std::size_t header_limit, WebSocketAccepted on_accepted,
                      std::function<void()> on_failed);

}  // namespace culex::net
