// Every bridge of the configuration, each on one of the server's event loops (spread round the loops); a
// SIGHUP reload adds, removes and replaces bridges without touching those whose configuration is unchanged.
#pragma once

#include <chrono>
#include <expected>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bridge/bridge_status.hpp"
#include "config/bridge_config.hpp"

namespace culex::net {
class Server;
class EventLoop;
}  // namespace culex::net

namespace culex::bridge {

class Bridge;

class Bridges {
  public:
    // What cannot run, refused before the broker starts (TLS files, for one); the message names the bridge,
    // its line, the cause and the fix.
    static std::expected<void, std::string> check(const std::vector<config::BridgeConfig>& bridges);

    // Starts each bridge on its loop. The loops must be running or about to run; destroy the Bridges once
    // they have stopped (after Server::run), before the Server.
    // `sys_interval`: how often each bridge's figures go to $SYS (0: never).
    Bridges(const std::vector<config::BridgeConfig>& bridges, net::Server& server,
            std::chrono::seconds sys_interval = {});
    ~Bridges();

    // From any thread (SIGHUP): a bridge whose `connection` block is gone leaves (DISCONNECT to its remote,
    // its local session ended); a changed one is replaced on its loop (its local session kept when the
    // local client id is the same); a new one starts; an unchanged one is not touched. One that cannot
    // start (its TLS files) is logged and left out.
    void reload(const std::vector<config::BridgeConfig>& bridges);

    // From any thread: each running bridge's state and figures, in configuration order.
    std::vector<BridgeStatus> status() const;

  private:
    struct Running {
        std::unique_ptr<Bridge> bridge;
        net::EventLoop* loop;
    };
    // Creates it into `into` and posts its start to `loop`; logged and left out when it cannot start.
    void launch(const config::BridgeConfig& config, net::EventLoop& loop, std::vector<Running>& into);
    // Posts its retirement; it is kept (not destroyed) until the loops have stopped.
    void retire(Running running, const config::BridgeConfig* successor);

    net::Server& server_;
    std::chrono::seconds sys_interval_;
    mutable std::mutex mutex_;
    std::vector<Running> running_;
    std::vector<std::unique_ptr<Bridge>> retired_;
    int next_loop_ = 0;
};

}  // namespace culex::bridge
