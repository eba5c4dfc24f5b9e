// Every bridge of the configuration, each on one of the server's event loops (spread round the loops).
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "config/bridge_config.hpp"

namespace culex::net {
class Server;
}

namespace culex::bridge {

class Bridge;

class Bridges {
  public:
    // What this slice cannot run yet, refused before the broker starts; the message names the bridge, its
    // line, the cause and the fix.
    static std::expected<void, std::string> check(const std::vector<config::BridgeConfig>& bridges);

    // Starts each bridge on its loop. The loops must be running or about to run; destroy the Bridges once
    // they have stopped (after Server::run), before the Server.
    Bridges(const std::vector<config::BridgeConfig>& bridges, net::Server& server);
    ~Bridges();

  private:
    std::vector<std::unique_ptr<Bridge>> bridges_;
};

}  // namespace culex::bridge
