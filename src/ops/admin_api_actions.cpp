// The admin API's actions, once refuse_action() let them through. Each is logged with who asked.
#include <fmt/format.h>

#include <algorithm>

#include "broker/broker.hpp"
#include "log/logger.hpp"
#include "ops/admin_api.hpp"
#include "ops/json_response.hpp"
#include "ops/loop_gather.hpp"

namespace culex::ops {

using culex::log::logger;
using culex::log::LogType;

net::HttpResponse AdminApi::disconnect(const std::string& client_id, std::string_view requested_by) {
    std::string by(requested_by);
    auto answers = gather_from_loops<bool>(broker_, [client_id, by](broker::LoopBroker& loop) {
        return loop.disconnect_by_admin(client_id, by);
    });
    if (!answers) return json_error(503, "an event loop did not answer in time: try again");
    if (std::find(answers->begin(), answers->end(), true) == answers->end())
        return json_error(404, fmt::format("no client connected as '{}'", client_id));
    return json_response(200, {{"disconnected", client_id}});
}

net::HttpResponse AdminApi::reload(std::string_view requested_by) {
    if (!context_.reload) return json_error(501, "this broker cannot reload its config");
    logger().log(LogType::notice, "Reload requested through the HTTP API by {}.", requested_by);
    context_.reload();
    // The reload itself runs on the signal thread, as for SIGHUP; its outcome is in the log.
    return json_response(202, {{"reloading", true}});
}

net::HttpResponse AdminApi::delete_retained(const std::string& topic, std::string_view requested_by) {
    if (topic.empty() || topic.find_first_of("+#") != std::string::npos ||
        topic.find('\0') != std::string::npos)
        return json_error(400, fmt::format("'{}' is not a topic name (no wildcards, not empty)", topic));
    std::vector<broker::MessagePtr> found;
    broker_.retained().find(topic, found);
    if (found.empty()) return json_error(404, fmt::format("no retained message on '{}'", topic));
    auto done = gather_from_loops<bool>(
        broker_,
        [topic](broker::LoopBroker& loop) {
            loop.clear_retained(topic);
            return true;
        },
        kLoopAnswerBound, 0);
    if (!done) return json_error(503, "the first event loop did not answer in time: try again");
    logger().log(LogType::notice, "Retained message on {} deleted through the HTTP API by {}.", topic,
                 requested_by);
    return json_response(200, {{"deleted", topic}});
}

}  // namespace culex::ops
