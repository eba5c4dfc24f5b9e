// The admin API's GETs: JSON copies of what the broker holds.
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <iterator>

#include "broker/broker.hpp"
#include "ops/admin_api.hpp"
#include "ops/json_response.hpp"
#include "ops/loop_gather.hpp"
#include "ops/metrics.hpp"

namespace culex::ops {

using nlohmann::json;

namespace {

constexpr std::size_t kDefaultLimit = 1000;
constexpr std::size_t kMaxLimit = 10000;
constexpr std::size_t kMaxPayloadShown = 256;

// "2026-12-06T14:20:31Z"
std::string utc_text(std::int64_t unix_ms) {
    std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
    std::tm parts{};
    ::gmtime_r(&seconds, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

json traffic_json(const broker::TrafficFigures& f) {
    return {{"connected", f.connected},
            {"logins", f.connects},
            {"connections", f.sockets},
            {"packets_received", f.packets_received},
            {"packets_sent", f.packets_sent},
            {"bytes_received", f.bytes_received},
            {"bytes_sent", f.bytes_sent},
            {"publish_received", f.publishes_received()},
            {"publish_sent", f.publishes_sent()},
            {"publish_received_by_qos", f.publish_received},
            {"publish_sent_by_qos", f.publish_sent},
            {"publish_bytes_received", f.publish_bytes_received},
            {"publish_bytes_sent", f.publish_bytes_sent}};
}

json client_json(const broker::SessionSnapshot& s) {
    json out = {
        {"id", s.client_id},
        {"online", s.online},
        {"address", s.address},
        {"protocol_level", s.protocol_level},
        {"username", s.username ? json(*s.username) : json(nullptr)},
        {"keepalive", s.keep_alive},
        {"listener", s.listener},
        {"connected_since", s.connected_since_ms ? json(utc_text(s.connected_since_ms)) : json(nullptr)},
        {"queued", s.queued},
        {"inflight", s.inflight}};
    return out;
}

json subscription_json(const broker::SubscriptionSnapshot& s) {
    json out = {{"filter", s.filter},
                {"qos", s.qos},
                {"no_local", s.no_local},
                {"retain_as_published", s.retain_as_published}};
    if (s.identifier) out["identifier"] = s.identifier;
    return out;
}

// Every loop's sessions that `query` selects, in client id order; nullopt when a loop did not answer.
std::optional<std::vector<broker::SessionSnapshot>> sessions(broker::Broker& broker,
                                                             const broker::InspectionQuery& query) {
    auto answers = gather_from_loops<std::vector<broker::SessionSnapshot>>(
        broker, [query](broker::LoopBroker& loop) { return loop.inspect(query); });
    if (!answers) return std::nullopt;
    std::vector<broker::SessionSnapshot> all;
    for (auto& answer : *answers)
        std::move(answer.begin(), answer.end(), std::back_inserter(all));
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.client_id < b.client_id; });
    return all;
}

net::HttpResponse loops_silent() {
    return json_error(
        503, fmt::format("an event loop did not answer within {} ms: try again", kLoopAnswerBound.count()));
}

}  // namespace

net::HttpResponse AdminApi::broker_view() {
    auto s = broker_.statistics();
    json drops = json::object();
    for (std::size_t cause = 0; cause < broker::kDropCauses; ++cause)
        drops[std::string(drop_cause_name(static_cast<broker::DropCause>(cause)))] = s.drops[cause];
    return json_response(200, {{"version", context_.version},
                               {"uptime_seconds", s.uptime.count()},
                               {"threads", broker_.loop_count()},
                               {"counters", traffic_json(s.total)},
                               {"clients_maximum", s.max_connected},
                               {"sessions", s.sessions},
                               {"sessions_expired", s.sessions_expired},
                               {"subscriptions", s.subscriptions},
                               {"retained", s.retained},
                               {"retained_bytes", s.retained_bytes},
                               {"queued_messages", s.queued_messages},
                               {"inflight_messages", s.inflight_messages},
                               {"dropped", drops},
                               {"heap_bytes", s.heap_current}});
}

net::HttpResponse AdminApi::listeners_view() {
    auto s = broker_.statistics();
    json out = json::array();
    for (std::size_t i = 0; i < context_.listeners.size(); ++i) {
        const auto& l = context_.listeners[i];
        std::uint16_t bound = context_.bound_port ? context_.bound_port(i) : 0;
        json entry = {{"index", i},
                      {"port", bound != 0 ? bound : l.port},
                      {"configured_port", l.port},
                      {"address", l.address.empty() ? json(nullptr) : json(l.address)},
                      {"protocol", l.protocol},
                      {"tls", l.tls}};
        if (l.protocol != "http" && i < s.by_listener.size())
            entry["counters"] = traffic_json(s.by_listener[i]);
        out.push_back(std::move(entry));
    }
    return json_response(200, {{"listeners", out}});
}

net::HttpResponse AdminApi::clients_view(std::string_view query) {
    std::string why;
    auto page = read_page(query, kDefaultLimit, kMaxLimit, why);
    if (!page) return json_error(400, why);
    // Each loop copies at most offset + limit: the page is cut from their union, sorted by id.
    auto all = sessions(broker_, {.online_only = true, .limit = page->offset + page->limit});
    if (!all) return loops_silent();
    json out = json::array();
    for (std::size_t i = page->offset; i < all->size() && out.size() < page->limit; ++i)
        out.push_back(client_json((*all)[i]));
    return json_response(200, {{"clients", out}, {"connected", broker_.statistics().total.connected}});
}

net::HttpResponse AdminApi::client_view(const std::string& client_id) {
    auto found = sessions(broker_, {.client_id = client_id, .with_subscriptions = true});
    if (!found) return loops_silent();
    if (found->empty()) return json_error(404, fmt::format("no session for client id '{}'", client_id));
    const auto& s = found->front();
    json out = client_json(s);
    json subscriptions = json::array();
    for (const auto& sub : s.subscriptions)
        subscriptions.push_back(subscription_json(sub));
    out["session"] = {{"clean", !s.persistent},
                      {"expiry_seconds", s.expiry_seconds ? json(*s.expiry_seconds) : json(nullptr)},
                      {"subscriptions", subscriptions},
                      {"inflight", s.inflight},
                      {"queued", s.queued},
                      {"queued_bytes", s.queued_bytes},
                      {"queued_in_store", s.stored_queue},
                      {"incoming_qos2", s.incoming_qos2}};
    return json_response(200, out);
}

net::HttpResponse AdminApi::subscriptions_view(std::string_view query) {
    std::string why;
    auto page = read_page(query, kDefaultLimit, kMaxLimit, why);
    if (!page) return json_error(400, why);
    auto all = sessions(broker_, {.with_subscriptions = true});
    if (!all) return loops_silent();
    json out = json::array();
    std::size_t index = 0;
    for (const auto& session : *all)
        for (const auto& sub : session.subscriptions) {
            if (index++ < page->offset || out.size() >= page->limit) continue;
            json entry = subscription_json(sub);
            entry["client_id"] = session.client_id;
            out.push_back(std::move(entry));
        }
    return json_response(200, {{"subscriptions", out}, {"total", index}});
}

net::HttpResponse AdminApi::retained_view(std::string_view query) {
    std::string why;
    auto page = read_page(query, 100, kDefaultLimit, why);
    if (!page) return json_error(400, why);
    std::vector<broker::MessagePtr> messages;
    broker_.retained().page(page->offset, page->limit, messages);
    json out = json::array();
    for (const auto& m : messages) {
        std::string_view payload = m->payload.view();
        out.push_back({{"topic", m->topic},
                       {"qos", static_cast<int>(m->qos)},
                       {"bytes", m->payload.size()},
                       {"payload", payload.substr(0, kMaxPayloadShown)}});
    }
    return json_response(200, {{"retained", out},
                               {"total", broker_.retained().size()},
                               {"offset", page->offset},
                               {"limit", page->limit}});
}

net::HttpResponse AdminApi::bridges_view() {
    json out = json::array();
    for (const auto& b : context_.bridges) {
        json topics = json::array();
        for (const auto& t : b.topics)
            topics.push_back({{"pattern", t.pattern},
                              {"direction", t.direction},
                              {"qos", t.qos},
                              {"local_prefix", t.local_prefix},
                              {"remote_prefix", t.remote_prefix}});
        std::optional<std::string> state;
        if (context_.bridge_state) state = context_.bridge_state(b.name);
        out.push_back({{"name", b.name},
                       {"addresses", b.addresses},
                       {"protocol", b.protocol},
                       {"topics", topics},
                       {"state", state ? json(*state) : json(nullptr)}});
    }
    return json_response(200, {{"bridges", out}});
}

}  // namespace culex::ops
