// The bridge's messages on their way out at QoS 1/2 (outbound_): sent in order within the remote's Receive
// Maximum, sent again after a reconnect, forgotten once the remote acknowledged them, and dropped when their
// MQTT 5 Message Expiry ran out before they could leave.
#include <algorithm>

#include "bridge/bridge.hpp"
#include "log/logger.hpp"

namespace culex::bridge {

using culex::log::logger;
using culex::log::LogType;
using namespace culex::protocol;

void Bridge::resend_outbound() {
    on_link_ = 0;
    for (auto& [id, entry] : outbound_)
        entry.on_link = false;
    send_pending();
}

void Bridge::send_pending() {
    if (state_ != State::up) return;
    const auto now = Clock::now();
    std::vector<std::uint16_t> expired;
    for (std::uint16_t id : outbound_order_) {
        if (on_link_ >= remote_receive_maximum_) break;
        Outbound& entry = outbound_[id];
        if (entry.on_link) continue;
        if (entry.released) {
            entry.on_link = true;
            ++on_link_;
            remote_->send(Pubrel{id});
            continue;
        }
        DeliveryFields fields{entry.publish.qos, entry.publish.retain, entry.sent, id};
        if (entry.expires_at) {
            auto left = std::chrono::ceil<std::chrono::seconds>(*entry.expires_at - now).count();
            // Expired before it ever left: dropped (spec 3.3.2.3.3). One the remote may have already is
            // sent again, with a second left, so that its delivery completes.
            if (left <= 0 && !entry.sent) {
                expired.push_back(id);
                continue;
            }
            fields.message_expiry_interval = static_cast<std::uint32_t>(std::max<std::int64_t>(left, 1));
        }
        entry.on_link = true;
        ++on_link_;
        entry.sent = true;
        remote_->send_delivery(entry.publish, fields);
    }
    for (std::uint16_t id : expired)
        drop_expired(id);
}

void Bridge::drop_expired(std::uint16_t id) {
    auto it = outbound_.find(id);
    if (it == outbound_.end()) return;
    logger().log(LogType::notice,
                 "Bridge {}: a message on '{}' expired while it waited for the remote: dropped.",
                 config_.name, it->second.publish.topic);
    DeliveryFields fields{it->second.publish.qos, false, false, id};
    forget_outbound(id);
    acknowledge_locally(fields);
}

bool Bridge::forget_outbound(std::uint16_t id) {
    auto it = outbound_.find(id);
    if (it == outbound_.end()) return false;
    if (it->second.on_link && on_link_ > 0) --on_link_;
    outbound_.erase(it);
    std::erase(outbound_order_, id);
    return true;
}

}  // namespace culex::bridge
