// The bridge's look at itself once a second, on its loop: how many messages wait for the remote (for
// status(), and for start_type lazy's threshold), and whether a lazy bridge has been idle for idle_timeout.
// Nothing here runs per message: the counters it compares are the ones the forwarding path keeps anyway.
#include <fmt/format.h>

#include "bridge/bridge.hpp"
#include "broker/session.hpp"
#include "log/logger.hpp"

namespace culex::bridge {

using culex::log::logger;
using culex::log::LogType;

namespace {
constexpr auto kWatchInterval = std::chrono::seconds(1);
}

void Bridge::arm_watch() {
    watch_timer_.expires_after(kWatchInterval);
    watch_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || !watching_) return;
        loop_.step([&] { on_watch_tick(); });
    });
}

std::size_t Bridge::queue_depth() const {
    std::size_t depth = outbound_.size();
    if (client_ && client_->session)
        depth += client_->session->queued_count() + client_->session->stored_queue_count();
    return depth;
}

bool Bridge::lazy_below_threshold() const {
    return config_.lazy() && queue_depth() < config_.lazy_threshold();
}

void Bridge::check_threshold() {
    if (state_ != State::idle || lazy_below_threshold()) return;
    logger().log(LogType::notice, "Bridge {}: {} messages wait for the remote (threshold {}): connecting.",
                 config_.name, queue_depth(), config_.lazy_threshold());
    addresses_tried_ = 0;
    connect_remote();
}

void Bridge::go_idle() {
    if (state_ == State::up) {
        say_goodbye();
        stop_remote();
        publish_local_state(false);
    }
    set_state(State::idle);
    idle_seconds_ = 0;
    logger().log(LogType::notice,
                 "Bridge {} waits for {} queued messages before it connects (start_type lazy).", config_.name,
                 config_.lazy_threshold());
}

void Bridge::on_watch_tick() {
    queued_.store(queue_depth(), std::memory_order_relaxed);
    if (state_ == State::idle) check_threshold();
    std::uint64_t carried =
        forwarded_out_.load(std::memory_order_relaxed) + forwarded_in_.load(std::memory_order_relaxed);
    if (config_.lazy() && state_ == State::up) {
        bool quiet = carried == carried_at_last_tick_ && outbound_.empty();
        idle_seconds_ = quiet ? idle_seconds_ + 1 : 0;
        if (idle_seconds_ >= config_.lazy_idle_seconds()) {
            logger().log(LogType::notice, "Bridge {} was idle for {} s: disconnecting (start_type lazy).",
                         config_.name, idle_seconds_);
            go_idle();
        }
    }
    carried_at_last_tick_ = carried;
    if (sys_interval_.count() > 0 && ++seconds_to_sys_ >= sys_interval_.count()) {
        seconds_to_sys_ = 0;
        publish_sys_figures();
    }
    arm_watch();
}

void Bridge::publish_sys_figures() {
    if (!client_ || !local_up_) return;
    BridgeStatus now = status();
    std::string base = "$SYS/broker/connection/" + config_.remote_clientid + "/bridge/";
    const std::pair<std::string_view, std::string> figures[] = {
        {"state", std::string(to_string(now.state))},
        {"address", now.address},
        {"queued", std::to_string(now.queued)},
        {"forwarded/out", std::to_string(now.forwarded_out)},
        {"forwarded/in", std::to_string(now.forwarded_in)},
        {"reconnects", std::to_string(now.reconnects)},
    };
    for (const auto& [name, text] : figures) {
        std::string topic = base + std::string(name);
        auto& last = sys_published_[topic];
        if (last == text) continue;
        last = text;
        protocol::Publish figure;
        figure.topic = std::move(topic);
        figure.payload = protocol::Payload(std::string_view(text));
        figure.retain = true;
        loop_.core().handle_packet(client_, std::move(figure));
    }
}

void Bridge::set_state(State state) {
    state_ = state;
    BridgeState shown = BridgeState::disconnected;
    if (state == State::up) shown = BridgeState::connected;
    if (state == State::connecting || state == State::awaiting_connack) shown = BridgeState::connecting;
    public_state_.store(shown, std::memory_order_relaxed);
    public_address_.store(address_index_, std::memory_order_relaxed);
}

BridgeStatus Bridge::status() const {
    BridgeStatus status;
    status.name = config_.name;
    status.remote_clientid = config_.remote_clientid;
    const auto& address = config_.addresses[public_address_.load(std::memory_order_relaxed)];
    status.address = fmt::format("{}:{}", address.host, address.port);
    status.state = public_state_.load(std::memory_order_relaxed);
    status.queued = queued_.load(std::memory_order_relaxed);
    status.forwarded_out = forwarded_out_.load(std::memory_order_relaxed);
    status.forwarded_in = forwarded_in_.load(std::memory_order_relaxed);
    status.reconnects = reconnects_.load(std::memory_order_relaxed);
    return status;
}

}  // namespace culex::bridge
