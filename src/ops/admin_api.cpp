#include "ops/admin_api.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "ops/json_response.hpp"
#include "ops/url.hpp"

namespace culex::ops {

namespace {

net::HttpResponse wrong_method(std::string_view allowed) {
    auto response = json_error(405, fmt::format("this resource takes {} only", allowed));
    response.headers.emplace_back("Allow", std::string(allowed));
    return response;
}

}  // namespace

net::HttpResponse AdminApi::handle(const net::HttpRequest& request, const HttpIdentity& who,
                                   const broker::AccessPolicy& policy) {
    std::string_view target = request.target;
    auto question = target.find('?');
    std::string_view path = target.substr(0, question);
    std::string_view query =
        question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
    path.remove_prefix(std::min(path.size(), kPrefix.size()));
    try {
        return route({request, path_segments(path), query, who, policy});
    } catch (const std::exception& error) {  // nlohmann::json or an allocation: a 500, never a dead thread
        return json_error(500, fmt::format("internal error: {}", error.what()));
    }
}

std::optional<net::HttpResponse> AdminApi::refuse_action(const Call& call, std::string_view action) {
    const std::string* user = call.who.username ? &*call.who.username : nullptr;
    std::string topic = fmt::format("{}{}", kAdminTopic, action);
    if (call.policy.allows("", user, auth::Access::write, topic)) return std::nullopt;
    return json_error(
        403, fmt::format("{} may not {}: the ACL must grant write on '{}'",
                         user ? fmt::format("user '{}'", *user) : std::string("anonymous"), action, topic));
}

net::HttpResponse AdminApi::route(const Call& call) {
    const auto& s = call.segments;
    const std::string& method = call.request.method;
    std::string by =
        call.who.username ? fmt::format("user '{}'", *call.who.username) : std::string("anonymous");
    if (s.empty()) return json_error(404, "no resource named: see docs/operations.md for /api/v1/");
    std::string_view resource = s[0];
    auto only_get = [&](auto view) { return method == "GET" ? view() : wrong_method("GET"); };
    if (s.size() == 1) {
        if (resource == "broker") return only_get([&] { return broker_view(); });
        if (resource == "listeners") return only_get([&] { return listeners_view(); });
        if (resource == "clients") return only_get([&] { return clients_view(call.query); });
        if (resource == "subscriptions") return only_get([&] { return subscriptions_view(call.query); });
        if (resource == "retained") return only_get([&] { return retained_view(call.query); });
        if (resource == "bridges") return only_get([&] { return bridges_view(); });
        if (resource == "reload") {
            if (method != "POST") return wrong_method("POST");
            if (auto refused = refuse_action(call, "reload")) return *refused;
            return reload(by);
        }
    }
    if (resource == "clients" && (s.size() == 2 || (s.size() == 3 && s[2] == "disconnect"))) {
        auto id = percent_decode(s[1]);
        if (!id) return json_error(400, "the client id is badly percent-encoded");
        if (s.size() == 2) return only_get([&] { return client_view(*id); });
        if (method != "POST") return wrong_method("POST");
        if (auto refused = refuse_action(call, "disconnect")) return *refused;
        return disconnect(*id, by);
    }
    if (resource == "retained" && s.size() >= 2) {
        // The topic is the rest of the path: its '/' may be sent as is or as %2F.
        std::string_view path = call.request.target;
        path = path.substr(0, path.find('?'));
        auto start = path.find("/retained/");
        auto topic = percent_decode(path.substr(start + std::string_view("/retained/").size()));
        if (!topic) return json_error(400, "the topic is badly percent-encoded");
        if (method != "DELETE") return wrong_method("DELETE");
        if (auto refused = refuse_action(call, "retained")) return *refused;
        return delete_retained(*topic, by);
    }
    return json_error(404,
                      fmt::format("no resource {}{}", kPrefix, call.request.target.substr(kPrefix.size())));
}

}  // namespace culex::ops
