// What the HTTP listener serves, behind its access rules (http_access.hpp): GET /metrics, the admin API
// under /api/v1/ (admin_api.hpp), the dashboard at / (dashboard.hpp). Called on the HTTP thread only
// (net/http_server.hpp).
#pragma once

#include <string>
#include <vector>

#include "net/http_server.hpp"
#include "net/loop_figures.hpp"
#include "ops/admin_api.hpp"
#include "ops/bridge_metrics.hpp"
#include "ops/http_access.hpp"

namespace culex::broker {
class Broker;
}

namespace culex::ops {

class HttpEndpoints {
  public:
    // `listener_names`: the metrics' listener labels, by listener index. `api`: what the admin API knows of
    // the configuration. `bridges`: each bridge's figures for /metrics (none when empty); `loops`: each
    // event loop's lag and CPU time (none when empty).
    HttpEndpoints(broker::Broker& broker, std::vector<std::string> listener_names, ApiContext api,
                  BridgeFiguresSource bridges = {}, net::LoopFiguresSource loops = {})
        : broker_(broker),
          listener_names_(std::move(listener_names)),
          bridges_(std::move(bridges)),
          loops_(std::move(loops)),
          api_(broker, std::move(api)) {}

    net::HttpResponse handle(const net::HttpRequest& request);

  private:
    broker::Broker& broker_;
    std::vector<std::string> listener_names_;
    BridgeFiguresSource bridges_;
    net::LoopFiguresSource loops_;
    HttpAccess access_;
    AdminApi api_;
};

}  // namespace culex::ops
