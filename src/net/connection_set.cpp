#include "net/connection_set.hpp"

#include <chrono>

#include "net/connection.hpp"

namespace culex::net {

ConnectionSet::~ConnectionSet() = default;

void ConnectionSet::adopt(std::shared_ptr<Connection> connection) {
    connections_.push_back(std::move(connection));
    if (!armed_ && !stopped_) arm();
}

void ConnectionSet::stop() {
    stopped_ = true;
    timer_.cancel();
    // close() may not run anything that adopts a connection, but copy anyway: it is shutdown, not a hot path.
    auto open = connections_;
    for (const auto& connection : open)
        connection->close_now();
}

void ConnectionSet::arm() {
    armed_ = true;
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([this](boost::system::error_code ec) {
        armed_ = false;
        if (ec || stopped_) return;
        sweep();
        if (!connections_.empty()) arm();  // an idle loop sleeps without waking every second
    });
}

void ConnectionSet::sweep() {
    auto now = std::chrono::steady_clock::now();
    // check_keepalive may close connections but never opens one, so nothing is added meanwhile.
    std::erase_if(connections_, [now](const std::shared_ptr<Connection>& connection) {
        return !connection->check_keepalive(now);
    });
}

}  // namespace culex::net
