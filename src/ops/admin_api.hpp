// The admin API under /api/v1/ (JSON; docs/operations.md lists every endpoint): what the broker holds, read
// from every event loop without blocking one (ops/loop_gather.hpp), and three actions: disconnect a client,
// reload the config, delete a retained message. Reading needs what the listener's access rules ask
// (http_access.hpp); an action also needs the ACL to let the requester write `$CONTROL/culex/api/ACTION`
// (403 otherwise). Runs on the HTTP thread.
#pragma once

#include <string_view>
#include <vector>

#include "broker/access_policy.hpp"
#include "net/http_types.hpp"
#include "ops/api_context.hpp"
#include "ops/http_access.hpp"

namespace culex::broker {
class Broker;
}

namespace culex::ops {

class AdminApi {
  public:
    static constexpr std::string_view kPrefix = "/api/v1/";
    static constexpr std::string_view kAdminTopic = "$CONTROL/culex/api/";

    AdminApi(broker::Broker& broker, ApiContext context) : broker_(broker), context_(std::move(context)) {}

    // `request.target` starts with kPrefix; `who` passed the listener's access rules.
    net::HttpResponse handle(const net::HttpRequest& request, const HttpIdentity& who,
                             const broker::AccessPolicy& policy);

  private:
    struct Call {
        const net::HttpRequest& request;
        std::vector<std::string_view> segments;  // after /api/v1/, not decoded
        std::string_view query;
        const HttpIdentity& who;
        const broker::AccessPolicy& policy;
    };

    net::HttpResponse route(const Call& call);
    // admin_api_views.cpp: the GETs.
    net::HttpResponse broker_view();
    net::HttpResponse listeners_view();
    net::HttpResponse clients_view(std::string_view query);
    net::HttpResponse client_view(const std::string& client_id);
    net::HttpResponse subscriptions_view(std::string_view query);
    net::HttpResponse retained_view(std::string_view query);
    net::HttpResponse bridges_view();
    // admin_api_actions.cpp: the actions, once authorised.
    net::HttpResponse disconnect(const std::string& client_id, std::string_view requested_by);
    net::HttpResponse reload(std::string_view requested_by);
    net::HttpResponse delete_retained(const std::string& topic, std::string_view requested_by);
    // The 403 for an action the ACL does not grant; nullopt when granted.
    static std::optional<net::HttpResponse> refuse_action(const Call& call, std::string_view action);

    broker::Broker& broker_;
    ApiContext context_;
};

}  // namespace culex::ops
