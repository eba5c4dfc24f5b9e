#include "ops/http_endpoints.hpp"

#include "broker/broker.hpp"
#include "log/logger.hpp"
#include "ops/cluster_metrics.hpp"
#include "ops/dashboard.hpp"
#include "ops/metrics.hpp"

namespace culex::ops {

using culex::log::logger;
using culex::log::LogType;

net::HttpResponse HttpEndpoints::handle(const net::HttpRequest& request) {
    broker::PolicyPtr policy = broker_.policy(request.listener);
    HttpIdentity who = access_.check(*policy, request.authorization);
    switch (who.verdict) {
        case HttpVerdict::allowed:
            break;
        case HttpVerdict::needs_credentials:
            logger().log(LogType::notice, "HTTP request for {} refused: {}.", request.target,
                         request.authorization.empty() ? "no credentials" : "bad credentials");
            return {401, "text/plain; charset=utf-8",
                    "credentials needed (HTTP Basic, from the password file)\n", true};
        case HttpVerdict::throttled:
            return {503, "text/plain; charset=utf-8", "too many failed logins: try again in a second\n"};
    }
    std::string_view path = request.target;
    path = path.substr(0, path.find('?'));
    if (path.starts_with(AdminApi::kPrefix)) return api_.handle(request, who, *policy);
    if (request.method != "GET") return {405, "text/plain; charset=utf-8", "only GET\n"};
    if (path == "/metrics")
        return {200, "text/plain; version=0.0.4; charset=utf-8",
                render_metrics(broker_.statistics(), listener_names_) +
                    (bridges_ ? render_bridge_metrics(bridges_()) : std::string()) +
                    render_cluster_metrics(broker_.cluster())};
    if (auto file = dashboard_file(path)) return *file;
    return {404, "text/plain; charset=utf-8", "not found: this listener serves /, /metrics and /api/v1/\n"};
}

}  // namespace culex::ops
