#include "net/keepalive_sweep.hpp"

#include <chrono>

#include "net/connection.hpp"

namespace culex::net {

void KeepaliveSweep::watch(std::weak_ptr<Connection> connection) {
    watched_.push_back(std::move(connection));
    if (!armed_ && !stopped_) arm();
}

void KeepaliveSweep::stop() {
    stopped_ = true;
    timer_.cancel();
    watched_.clear();
}

void KeepaliveSweep::arm() {
    armed_ = true;
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([this](boost::system::error_code ec) {
        armed_ = false;
        if (ec || stopped_) return;
        sweep();
        if (!watched_.empty()) arm();  // an idle loop sleeps without waking every second
    });
}

void KeepaliveSweep::sweep() {
    auto now = std::chrono::steady_clock::now();
    // check_keepalive may close connections but never opens one, so nothing is added to watched_ meanwhile.
    std::erase_if(watched_, [now](const std::weak_ptr<Connection>& weak) {
        auto connection = weak.lock();
        return !connection || !connection->check_keepalive(now);
    });
}

}  // namespace culex::net
