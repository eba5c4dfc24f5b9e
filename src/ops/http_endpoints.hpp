// What the HTTP listener serves, behind its access rules (http_access.hpp): GET /metrics. Called on the
// HTTP thread only (net/http_server.hpp).
#pragma once

#include <string>
#include <vector>

#include "net/http_server.hpp"
#include "ops/bridge_metrics.hpp"
#include "ops/http_access.hpp"

namespace culex::broker {
class Broker;
}

namespace culex::ops {

class HttpEndpoints {
  public:
    // `listener_names`: the metrics' listener labels, by listener index. `bridges`: each bridge's figures
    // (none when empty).
    HttpEndpoints(broker::Broker& broker, std::vector<std::string> listener_names,
                  BridgeFiguresSource bridges = {})
        : broker_(broker), listener_names_(std::move(listener_names)), bridges_(std::move(bridges)) {}

    net::HttpResponse handle(const net::HttpRequest& request);

  private:
    broker::Broker& broker_;
    std::vector<std::string> listener_names_;
    BridgeFiguresSource bridges_;
    HttpAccess access_;
};

}  // namespace culex::ops
