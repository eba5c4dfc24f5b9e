// MQTT over WebSocket (ports 8080/8081 by convention): the HTTP upgrade, then frames whose payloads, unmasked
// and joined, are the MQTT byte stream (RFC 6455 section 5).
#pragma once

#include <string>
#include <string_view>

namespace culex::sniff {

class WebSocketReader {
  public:
    enum class Status { ok, not_websocket };

    // Feeds the next bytes of one direction; appends the MQTT bytes carried so far to `mqtt`. `from_client`:
    // the upgrade request is a GET, the answer must be "101 Switching Protocols".
    Status feed(std::string_view bytes, bool from_client, std::string& mqtt);

  private:
    std::string pending_;
    bool upgraded_ = false;
};

}  // namespace culex::sniff
