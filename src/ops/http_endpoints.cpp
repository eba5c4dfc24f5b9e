#include "ops/http_endpoints.hpp"

#include <fmt/format.h>

#include "broker/broker.hpp"
#include "log/logger.hpp"
#include "ops/cluster_metrics.hpp"
#include "ops/dashboard.hpp"
#include "ops/json_response.hpp"
#include "ops/loop_metrics.hpp"
#include "ops/metrics.hpp"

namespace culex::ops {

using culex::log::logger;
using culex::log::LogType;

namespace {

// A request the access rules refused: JSON under the API, like its other errors; text elsewhere (/metrics
// is read by scrapers, / by a browser, which asks for credentials either way).
net::HttpResponse refusal(bool api, int status, std::string_view why) {
    net::HttpResponse response =
        api ? json_error(status, why)
            : net::HttpResponse{status, "text/plain; charset=utf-8", fmt::format("{}\n", why)};
    response.ask_credentials = status == 401;
    return response;
}

}  // namespace

net::HttpResponse HttpEndpoints::handle(const net::HttpRequest& request) {
    std::string_view path = request.target;
    path = path.substr(0, path.find('?'));
    bool api = path.starts_with(AdminApi::kPrefix);
    broker::PolicyPtr policy = broker_.policy(request.listener);
    HttpIdentity who = access_.check(*policy, request.authorization);
    switch (who.verdict) {
        case HttpVerdict::allowed:
            break;
        case HttpVerdict::needs_credentials:
            logger().log(LogType::notice, "HTTP request for {} refused: {}.", request.target,
                         request.authorization.empty() ? "no credentials" : "bad credentials");
            return refusal(api, 401,
                           request.authorization.empty()
                               ? "credentials needed: HTTP Basic, a user of the listener's password file"
                               : "bad credentials: HTTP Basic needs a user and password of the listener's "
                                 "password file");
        case HttpVerdict::throttled:
            return refusal(api, 503, "too many failed logins: try again in a second");
    }
    if (api) return api_.handle(request, who, *policy);
    if (request.method != "GET") return {405, "text/plain; charset=utf-8", "only GET\n"};
    if (path == "/metrics")
        return {200, "text/plain; version=0.0.4; charset=utf-8",
                render_metrics(broker_.statistics(), listener_names_) +
                    (loops_ ? render_loop_metrics(loops_()) : std::string()) +
                    (bridges_ ? render_bridge_metrics(bridges_()) : std::string()) +
                    render_cluster_metrics(broker_.cluster())};
    if (auto file = dashboard_file(path)) return *file;
    return {404, "text/plain; charset=utf-8", "not found: this listener serves /, /metrics and /api/v1/\n"};
}

}  // namespace culex::ops
