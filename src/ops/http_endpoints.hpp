// What the HTTP listener serves, behind its access rules (http_access.hpp): GET /metrics. Called on the
// HTTP thread only (net/http_server.hpp).
#pragma once

#include <string>
#include <vector>

#include "net/http_server.hpp"
#include "ops/http_access.hpp"

namespace culex::broker {
class Broker;
}

namespace culex::ops {

class HttpEndpoints {
  public:
    // `listener_names`: the metrics' listener labels, by listener index.
    HttpEndpoints(broker::Broker& broker, std::vector<std::string> listener_names)
        : broker_(broker), listener_names_(std::move(listener_names)) {}

    net::HttpResponse handle(const net::HttpRequest& request);

  private:
    broker::Broker& broker_;
    std::vector<std::string> listener_names_;
    HttpAccess access_;
};

}  // namespace culex::ops
