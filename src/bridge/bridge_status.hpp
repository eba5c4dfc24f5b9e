// What one bridge shows of itself ($SYS, /metrics, the log): its state, what waits for the remote, what it
// carried each way, and how often it connected again.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace culex::bridge {

enum class BridgeState { connecting, connected, disconnected };

inline std::string_view to_string(BridgeState state) {
    switch (state) {
        case BridgeState::connecting:
            return "connecting";
        case BridgeState::connected:
            return "connected";
        case BridgeState::disconnected:
            break;
    }
    return "disconnected";
}

struct BridgeStatus {
    std::string name;             // the `connection` name
    std::string remote_clientid;  // as in $SYS/broker/connection/REMOTE_CLIENTID/...
    std::string address;          // HOST:PORT it is connected or connecting to (or last tried)
    BridgeState state = BridgeState::disconnected;
    std::uint64_t queued = 0;         // QoS 1/2 messages waiting for the remote (in flight or queued)
    std::uint64_t forwarded_out = 0;  // local to remote (QoS 1/2 counted once the remote acknowledged)
    std::uint64_t forwarded_in = 0;   // remote to local
    std::uint64_t reconnects = 0;     // connections accepted after the first
};

}  // namespace culex::bridge
